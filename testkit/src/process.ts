/** Real processes for tests: the same launcher the local cluster's supervisor uses. */
export { freePort, ManagedProcess, portOpen, waitFor, waitForPort } from '@hangout/infra/process'
