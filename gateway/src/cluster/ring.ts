/**
 * The ketama ring exactly as nginx builds it for `hash $arg_room consistent`
 * (src/http/modules/ngx_http_upstream_hash_module.c, ngx_http_upstream_init_chash and
 * ngx_http_upstream_get_chash_peer), so a gateway knows which node nginx sends a room to.
 *
 * - Each `server` line's literal address is split at its last ':' when only digits follow
 *   ("127.0.0.1:3101" → host "127.0.0.1", port "3101"; "unix:/x" → host "/x", no port; otherwise
 *   all host, no port). The base hash is CRC32 over host, one NUL byte, port.
 * - A server gets 160 points per unit of weight; point j is CRC32(base bytes + the previous
 *   point's hash as 4 little-endian bytes), the first one after 4 zero bytes.
 * - Points are sorted by hash; of points with equal hashes only one is kept.
 * - A key is hashed with plain CRC32; its home is the first point whose hash is >= the key's,
 *   wrapping to the first point past the end.
 * - When that point's server is down (or has failed), nginx walks on clockwise, point by point,
 *   to the first point of a server it has not tried and that is up: `nextLive` below.
 */
import { crc32 } from 'node:zlib'

export const POINTS_PER_WEIGHT = 160

export interface RingServer {
  /** The node id the gateways know this server by. */
  id: string
  /** The server address exactly as written in nginx's upstream block, e.g. "127.0.0.1:3101". */
  upstream: string
  weight?: number
}

export interface Ring {
  /** Point hashes, ascending. */
  readonly hashes: Uint32Array
  /** The node id owning each point, parallel to `hashes`. */
  readonly owners: readonly string[]
  readonly servers: readonly RingServer[]
}

/** CRC32 (IEEE) of a key as nginx's ngx_crc32_long computes it. */
export function keyHash(key: string): number {
  return crc32(Buffer.from(key, 'utf8')) >>> 0
}

/** The bytes nginx feeds into a server's base hash: host, NUL, port. */
export function serverBaseBytes(upstream: string): Buffer {
  const { host, port } = splitServer(upstream)
  return Buffer.concat([Buffer.from(host, 'utf8'), Buffer.from([0]), Buffer.from(port, 'utf8')])
}

function splitServer(server: string): { host: string; port: string } {
  if (server.slice(0, 5).toLowerCase() === 'unix:') return { host: server.slice(5), port: '' }
  for (let j = server.length - 1; j >= 0; j--) {
    const c = server[j]
    if (c === ':') return { host: server.slice(0, j), port: server.slice(j + 1) }
    if (c === undefined || c < '0' || c > '9') break
  }
  return { host: server, port: '' }
}

/** The points of one server, in the order nginx generates them. */
export function serverPoints(upstream: string, weight = 1): number[] {
  const base = serverBaseBytes(upstream)
  const prev = Buffer.alloc(4)
  const points: number[] = []
  for (let j = 0; j < weight * POINTS_PER_WEIGHT; j++) {
    const hash = crc32(prev, crc32(base)) >>> 0
    points.push(hash)
    prev.writeUInt32LE(hash, 0)
  }
  return points
}

export function buildRing(servers: readonly RingServer[]): Ring {
  const seen = new Set<string>()
  const all: { hash: number; owner: string }[] = []
  for (const server of servers) {
    if (seen.has(server.id)) throw new Error(`ring: node id ${server.id} listed twice`)
    seen.add(server.id)
    const weight = server.weight ?? 1
    if (!Number.isInteger(weight) || weight < 1) throw new Error(`ring: weight of ${server.id} must be a positive integer`)
    for (const hash of serverPoints(server.upstream, weight)) all.push({ hash, owner: server.id })
  }
  all.sort((a, b) => a.hash - b.hash)
  const kept = all.filter((point, i) => i === 0 || point.hash !== all[i - 1]?.hash)
  return {
    hashes: Uint32Array.from(kept, (p) => p.hash),
    owners: kept.map((p) => p.owner),
    servers: [...servers],
  }
}

/** Index of the first point whose hash is >= `hash` (may be `length`: wraps to 0). */
function firstPointAtOrAfter(hashes: Uint32Array, hash: number): number {
  let i = 0
  let j = hashes.length
  while (i < j) {
    const k = (i + j) >>> 1
    const at = hashes[k] as number
    if (hash > at) i = k + 1
    else if (hash < at) j = k
    else return k
  }
  return i
}

/** The node nginx sends `roomId` to while every node of the ring is up; undefined for an empty ring. */
export function homeOf(ring: Ring, roomId: string): string | undefined {
  return nextLive(ring, roomId, () => true)
}

/**
 * The node nginx sends `roomId` to when only the nodes for which `isLive` answers true can be
 * reached: the room's point, then clockwise to the first point of a live node.
 */
export function nextLive(ring: Ring, roomId: string, isLive: (nodeId: string) => boolean): string | undefined {
  const count = ring.hashes.length
  if (count === 0) return undefined
  const start = firstPointAtOrAfter(ring.hashes, keyHash(roomId))
  const verdicts = new Map<string, boolean>()
  for (let step = 0; step < count; step++) {
    const owner = ring.owners[(start + step) % count] as string
    let live = verdicts.get(owner)
    if (live === undefined) {
      live = isLive(owner)
      verdicts.set(owner, live)
    }
    if (live) return owner
  }
  return undefined
}
