import { buildRing, homeOf, type Ring } from '@hangout/gateway/ring'
import type { Cluster } from '@hangout/infra/cluster'

/** The ring the gateways build from their live nodes (and nginx walks past dead ones on): the running gateways. */
export function liveRing(cluster: Cluster): Ring {
  return buildRing(cluster.gateways.filter((g) => g.running).map((g) => ({ id: g.nodeId, upstream: g.upstream })))
}

/** The node a room lives on now. */
export function liveHome(cluster: Cluster, roomId: string): string | undefined {
  return homeOf(liveRing(cluster), roomId)
}
