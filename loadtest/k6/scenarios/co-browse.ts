/**
 * co-browse: a shared shopping session's storms: scrolling (RATE updates per second per room),
 * clicks on products and page changes; the ack latency of each and the deliveries to the room.
 *   k6 run -e BASE_URL=http://127.0.0.1:8080 -e ROOMS=50 -e USERS_PER_ROOM=5 -e RATE=40 loadtest/k6/scenarios/co-browse.ts
 */
import { loadConfig, thresholdMs } from '../lib/env.ts'
import { createFixture, type Fixture, seat } from '../lib/fixture.ts'
import { roomOptions } from '../lib/options.ts'
import { activityPlan, SCENARIO_DEFAULTS } from '../lib/plans.ts'
import { runRoomUser } from '../lib/room-user.ts'

const config = loadConfig(SCENARIO_DEFAULTS['co-browse'])

export const options = roomOptions(config, {
  emit_ack_ms: [`p(50)<${thresholdMs('ACK_P50_MS', 20)}`, `p(99)<${thresholdMs('ACK_P99_MS', 100)}`],
  deliveries: ['count>0'],
})

export function setup(): Fixture {
  return createFixture(config)
}

export default function (fixture: Fixture): void {
  runRoomUser(config.baseUrl, seat(fixture, __VU), config.durationS * 1000, activityPlan('co-browse', config))
}
