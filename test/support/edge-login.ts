import { randomBytes } from 'node:crypto'
import { request } from 'node:http'

/** A random IPv4 address, for a spoofed X-Forwarded-For. */
export function spoofedAddress(): string {
  return [...randomBytes(4)].join('.')
}

/**
 * A login through the edge at `edgePort` (a wrong password unless one is given), sent from the
 * loopback address `localAddress`, with X-Forwarded-For and X-Real-IP set to `spoof`. Answers the status code.
 */
export function loginThroughEdge(
  edgePort: number,
  localAddress: string,
  email: string,
  spoof = spoofedAddress(),
  password = 'wrong password guess',
): Promise<number> {
  const body = JSON.stringify({ email, password })
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: edgePort,
        path: '/api/auth/login',
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/json', 'x-forwarded-for': spoof, 'x-real-ip': spoof },
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}
