import { readdirSync, readFileSync, readlinkSync } from 'node:fs'

/**
 * Whether process `pid` holds the TCP socket listening on `port`, read from Linux's /proc;
 * undefined where /proc cannot tell (another OS).
 *
 * Why: a port from freePort() is free when picked, but another process on the machine (another
 * test run's cluster) may bind it before our child does. Our child then fails to bind (nginx keeps
 * retrying for 2.5 s before it gives up), while the port answers as if it were ready: a readiness
 * probe that only asks the port would hand the test someone else's server.
 */
export function listensOn(pid: number | undefined, port: number): boolean | undefined {
  const inodes = listeningInodes(port)
  if (inodes === undefined) return undefined
  if (pid === undefined || inodes.size === 0) return false
  let fds: string[]
  try {
    fds = readdirSync(`/proc/${pid}/fd`)
  } catch {
    return false
  }
  for (const fd of fds) {
    let target: string
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`)
    } catch {
      continue
    }
    const inode = target.match(/^socket:\[(\d+)\]$/)?.[1]
    if (inode && inodes.has(inode)) return true
  }
  return false
}

/** Inodes of the sockets in LISTEN state on `port` (any address, IPv4 or IPv6); undefined without /proc. */
function listeningInodes(port: number): Set<string> | undefined {
  const tables: string[] = []
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      tables.push(readFileSync(file, 'utf8'))
    } catch {
      // No IPv6 table is fine; no table at all means no /proc.
    }
  }
  if (tables.length === 0) return undefined
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0')
  const inodes = new Set<string>()
  for (const line of tables.join('\n').split('\n')) {
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
    const fields = line.trim().split(/\s+/)
    const [, local, , state, , , , , , inode] = fields
    if (state === '0A' && local?.endsWith(`:${hexPort}`) && inode) inodes.add(inode)
  }
  return inodes
}
