import type { Options } from 'k6/options'
import type { LoadConfig } from './env.ts'

/** Every user a VU, all started at once (a join burst), each running one long iteration. */
export function roomOptions(config: LoadConfig, thresholds: NonNullable<Options['thresholds']>): Options {
  return {
    setupTimeout: '10m',
    scenarios: {
      users: {
        executor: 'per-vu-iterations',
        vus: config.rooms * config.usersPerRoom,
        iterations: 1,
        maxDuration: `${Math.ceil(config.durationS) + 120}s`,
      },
    },
    thresholds: {
      // Every user gets in, and nothing is refused.
      joined: ['rate==1'],
      connect_errors: ['count==0'],
      ack_errors: ['count==0'],
      ...thresholds,
    },
  }
}
