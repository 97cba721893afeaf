/** A real Redis Cluster (3 masters, 1 replica each, on free loopback ports) for tests, as the local cluster starts one. */
export { type RedisCluster, type RedisClusterOptions, startRedisCluster } from '@hangout/infra/redis-cluster'
