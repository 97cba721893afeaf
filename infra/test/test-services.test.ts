/**
 * Two test runs on one machine each get a Redis and a MongoDB-wire server of their own: one ending
 * (and stopping its servers) leaves the other's answering. URLs given in the environment are used.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { DATA_DIR } from '../src/paths.js'
import { mongoAnswers, redisAnswers } from '../src/services.js'
import { startTestServices } from '../src/test-services.js'

const logDir = join(DATA_DIR, 'test-logs')

test('two runs at once: servers of their own; stopping one leaves the other serving, and removes its data', async () => {
  const [first, second] = await Promise.all([startTestServices({}, logDir), startTestServices({}, logDir)])
  try {
    expect(first.redisUrl).not.toBe(second.redisUrl)
    expect(first.mongoUrl).not.toBe(second.mongoUrl)
    await first.stop()
    expect(await redisAnswers(first.redisUrl)).toBe(false)
    expect(await mongoAnswers(first.mongoUrl)).toBe(false)
    expect(existsSync(join(DATA_DIR, `ferretdb-test-${new URL(first.mongoUrl).port}`))).toBe(false)
    expect(await redisAnswers(second.redisUrl)).toBe(true)
    expect(await mongoAnswers(second.mongoUrl)).toBe(true)
  } finally {
    await Promise.all([first.stop(), second.stop()])
  }
}, 60_000)

test('URLs in the environment are used as they are, and nothing is started or stopped for them', async () => {
  const own = await startTestServices({}, logDir)
  try {
    const given = await startTestServices({ REDIS_URL: own.redisUrl, MONGO_URL: own.mongoUrl }, logDir)
    expect(given).toMatchObject({ redisUrl: own.redisUrl, mongoUrl: own.mongoUrl })
    await given.stop()
    expect(await redisAnswers(own.redisUrl)).toBe(true)
    expect(await mongoAnswers(own.mongoUrl)).toBe(true)
  } finally {
    await own.stop()
  }
}, 60_000)
