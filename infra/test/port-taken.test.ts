/**
 * A port freePort() picked may be bound by another process before our server binds it (another
 * test run on this machine). Readiness then asks the process, not only the port: a real nginx or
 * API that could not bind fails loudly, naming the taken port, instead of handing the test the
 * server that holds it (startCluster then starts again on other ports).
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startApi } from '../src/start-service.js'
import { listensOn } from '../src/listener.js'
import { Edge } from '../src/nginx.js'
import { freePort, isPortTaken, ManagedProcess } from '../src/process.js'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hangout-ports-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** An HTTP server of this process that answers 200 to everything, as a healthy server would. */
async function impostor(port = 0): Promise<{ server: Server; port: number }> {
  const server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok","config":"0"}'),
  )
  server.listen(port, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  return { server, port: typeof address === 'object' && address ? address.port : 0 }
}

test('listensOn tells the process that holds a listening port from any other', async () => {
  const own = await impostor()
  const child = new ManagedProcess({
    name: 'listener',
    command: process.execPath,
    args: ['-e', "require('net').createServer().listen(0, '127.0.0.1', function () { console.log(this.address().port) })"],
  })
  try {
    await new Promise((resolve) => child.child.stdout?.once('data', resolve))
    const childPort = Number(child.output.trim())
    expect(listensOn(process.pid, own.port)).toBe(true)
    expect(listensOn(child.pid, childPort)).toBe(true)
    expect(listensOn(child.pid, own.port)).toBe(false)
    expect(listensOn(process.pid, childPort)).toBe(false)
    const closed = await freePort()
    expect(listensOn(process.pid, closed)).toBe(false)
  } finally {
    await child.stop()
    own.server.close()
  }
})

test('an edge whose port another server holds fails, naming it, though the port answers its health page', async () => {
  const taken = await impostor()
  try {
    const error = await Edge.start({
      port: taken.port,
      apiServers: ['127.0.0.1:1'],
      gatewayServers: [{ upstream: '127.0.0.1:2' }],
      webRoot: dir,
      dir: join(dir, 'edge'),
    }).then(
      () => undefined,
      (err: Error) => err,
    )
    expect(error?.message).toMatch(/Address already in use/)
    expect(isPortTaken(error)).toBe(true)
  } finally {
    taken.server.close()
  }
}, 30_000)

test('an API whose port another healthy server holds fails, naming it, instead of passing for ready', async () => {
  const taken = await impostor()
  try {
    const error = await startApi({ port: taken.port, env: { LOG_LEVEL: 'warn' } }).then(
      async (proc) => {
        await proc.stop()
        return undefined
      },
      (err: Error) => err,
    )
    expect(error?.message).toMatch(/EADDRINUSE/)
    expect(isPortTaken(error)).toBe(true)
  } finally {
    taken.server.close()
  }
}, 60_000)

test('a process that never binds is not taken for the server on its port', async () => {
  const taken = await impostor()
  const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' })
  try {
    await once(sleeper, 'spawn')
    expect(listensOn(sleeper.pid, taken.port)).toBe(false)
  } finally {
    sleeper.kill()
    taken.server.close()
  }
})
