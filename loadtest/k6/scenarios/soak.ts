/**
 * soak: a steady mixed load (chat at RATE per room, light scrolling and clicks) for a long time;
 * latencies must not creep up, nothing may be refused.
 *   k6 run -e BASE_URL=http://127.0.0.1:8080 -e ROOMS=100 -e USERS_PER_ROOM=10 -e RATE=2 -e DURATION=2h loadtest/k6/scenarios/soak.ts
 */
import { loadConfig, thresholdMs } from '../lib/env.ts'
import { createFixture, type Fixture, seat } from '../lib/fixture.ts'
import { roomOptions } from '../lib/options.ts'
import { activityPlan, SCENARIO_DEFAULTS } from '../lib/plans.ts'
import { runRoomUser } from '../lib/room-user.ts'

const config = loadConfig(SCENARIO_DEFAULTS.soak)

export const options = roomOptions(config, {
  fanout_ms: [`p(99)<${thresholdMs('FANOUT_P99_MS', 100)}`],
  emit_ack_ms: [`p(99)<${thresholdMs('ACK_P99_MS', 200)}`],
})

export function setup(): Fixture {
  return createFixture(config)
}

export default function (fixture: Fixture): void {
  runRoomUser(config.baseUrl, seat(fixture, __VU), config.durationS * 1000, activityPlan('soak', config))
}
