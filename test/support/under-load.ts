/**
 * One reliability suite's cluster under chat load, for the whole file: startClusterUnderTest (its
 * private Redis, its own database), a client of that Redis, and a ChatLoad sending every 500 ms,
 * all started before the file's tests and stopped after them.
 */
import type { ClusterOptions } from '@hangout/infra/cluster'
import { type ClusterUnderTest, startClusterUnderTest } from '@hangout/testkit/cluster-under-test'
import { Redis } from 'ioredis'
import { ChatLoad } from './chat-load.js'

export interface UnderLoadOptions {
  cluster: ClusterOptions
  rooms: number
  usersPerRoom: number
  /** Set-up of the file's own, once the load's members have joined and before it starts sending. */
  beforeRun?: (t: ClusterUnderTest) => Promise<void>
}

export interface UnderLoad {
  readonly t: ClusterUnderTest
  readonly redis: Redis
  readonly load: ChatLoad
}

export function underLoad(options: UnderLoadOptions): UnderLoad {
  let t: ClusterUnderTest | undefined
  let redis: Redis | undefined
  let load: ChatLoad | undefined

  beforeAll(async () => {
    t = await startClusterUnderTest(options.cluster)
    redis = new Redis(t.cluster.env.REDIS_URL ?? '')
    load = await ChatLoad.start(t.cluster.url, options.rooms, options.usersPerRoom)
    await options.beforeRun?.(t)
    load.run(500)
  }, 90_000)

  afterAll(async () => {
    load?.close()
    redis?.disconnect()
    await t?.stop()
  })

  const started = <T>(what: string, value: T | undefined): T => {
    if (value === undefined) throw new Error(`underLoad: no ${what} (its beforeAll has not run or failed)`)
    return value
  }
  return {
    get t() {
      return started('cluster', t)
    },
    get redis() {
      return started('redis client', redis)
    },
    get load() {
      return started('load', load)
    },
  }
}
