import { crossNodeEvents } from './scenarios.js'
import { gatewaySuite } from '@hangout/testkit/gateway-suite'

// The classic (non-sharded) Redis adapter stays available (ADAPTER=classic) for the benchmark: it must behave the same.
const { cluster } = gatewaySuite({ nodes: 3, env: { ADAPTER: 'classic' } })

test('chat and sync events cross nodes on the classic adapter', () => crossNodeEvents(cluster))
