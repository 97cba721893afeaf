/**
 * chat-fanout: rooms of USERS_PER_ROOM users chatting at RATE messages per second per room; the
 * sender-to-receiver latency of every delivered message.
 *   k6 run -e BASE_URL=http://127.0.0.1:8080 -e ROOMS=50 -e USERS_PER_ROOM=20 -e RATE=5 -e DURATION=60s loadtest/k6/scenarios/chat-fanout.ts
 */
import { loadConfig, thresholdMs } from '../lib/env.ts'
import { createFixture, type Fixture, seat } from '../lib/fixture.ts'
import { roomOptions } from '../lib/options.ts'
import { activityPlan, SCENARIO_DEFAULTS } from '../lib/plans.ts'
import { runRoomUser } from '../lib/room-user.ts'

const config = loadConfig(SCENARIO_DEFAULTS['chat-fanout'])

export const options = roomOptions(config, {
  fanout_ms: [`p(50)<${thresholdMs('FANOUT_P50_MS', 20)}`, `p(99)<${thresholdMs('FANOUT_P99_MS', 100)}`],
  emit_ack_ms: [`p(99)<${thresholdMs('ACK_P99_MS', 200)}`],
})

export function setup(): Fixture {
  return createFixture(config)
}

export default function (fixture: Fixture): void {
  runRoomUser(config.baseUrl, seat(fixture, __VU), config.durationS * 1000, activityPlan('chat-fanout', config))
}
