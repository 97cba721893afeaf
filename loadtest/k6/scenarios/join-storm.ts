/**
 * join-storm: every user connects and joins at once; the join-ack latency under the burst.
 *   k6 run -e BASE_URL=http://127.0.0.1:8080 -e ROOMS=100 -e USERS_PER_ROOM=10 loadtest/k6/scenarios/join-storm.ts
 */
import { loadConfig, thresholdMs } from '../lib/env.ts'
import { createFixture, type Fixture, seat } from '../lib/fixture.ts'
import { roomOptions } from '../lib/options.ts'
import { activityPlan, SCENARIO_DEFAULTS } from '../lib/plans.ts'
import { runRoomUser } from '../lib/room-user.ts'

const config = loadConfig(SCENARIO_DEFAULTS['join-storm'])

export const options = roomOptions(config, {
  join_ack_ms: [`p(50)<${thresholdMs('JOIN_P50_MS', 100)}`, `p(99)<${thresholdMs('JOIN_P99_MS', 1000)}`],
  connect_join_ms: [`p(99)<${thresholdMs('CONNECT_JOIN_P99_MS', 2000)}`],
})

export function setup(): Fixture {
  return createFixture(config)
}

export default function (fixture: Fixture): void {
  runRoomUser(config.baseUrl, seat(fixture, __VU), config.durationS * 1000, activityPlan('join-storm', config))
}
