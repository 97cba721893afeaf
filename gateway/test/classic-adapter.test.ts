import { Cluster } from './helpers.js'
import { crossNodeEvents } from './scenarios.js'

// The classic (non-sharded) Redis adapter stays available (ADAPTER=classic) for the benchmark: it must behave the same.
const cluster = new Cluster({ ADAPTER: 'classic' })

beforeAll(() => cluster.start(3), 120_000)
afterAll(() => cluster.stop())

test('chat and sync events cross nodes on the classic adapter', () => crossNodeEvents(cluster))
