/**
 * co-pointer: chat-fanout's rooms and chat (RATE messages per second per room) while all 10 people
 * of each room move a pointer over the catalog (20 moves a second each); the ack latency of both.
 *   k6 run -e BASE_URL=http://127.0.0.1:8080 loadtest/k6/scenarios/co-pointer.ts
 */
import { loadConfig, thresholdMs } from '../lib/env.ts'
import { createFixture, type Fixture, seat } from '../lib/fixture.ts'
import { roomOptions } from '../lib/options.ts'
import { activityPlan, SCENARIO_DEFAULTS } from '../lib/plans.ts'
import { runRoomUser } from '../lib/room-user.ts'

const config = loadConfig(SCENARIO_DEFAULTS['co-pointer'])

export const options = roomOptions(config, {
  emit_ack_ms: [`p(50)<${thresholdMs('ACK_P50_MS', 20)}`, `p(99)<${thresholdMs('ACK_P99_MS', 100)}`],
  deliveries: ['count>0'],
})

export function setup(): Fixture {
  return createFixture(config)
}

export default function (fixture: Fixture): void {
  runRoomUser(config.baseUrl, seat(fixture, __VU), config.durationS * 1000, activityPlan('co-pointer', config))
}
