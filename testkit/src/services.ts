/** Real Redis and MongoDB-wire servers for tests, started as the local cluster starts them. */
export { mongoAnswers, type RedisOptions, redisAnswers, startFerretDb, startRedis } from '@hangout/infra/services'
