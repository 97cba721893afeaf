/** The whole local cluster (API, gateways, nginx edge) as the supervisor starts it, for end-to-end tests. */
export { type Cluster, type ClusterOptions, startCluster } from '@hangout/infra/cluster'
