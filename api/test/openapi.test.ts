import { Validator } from '@seriousme/openapi-schema-validator'
import { Routes } from '@hangout/protocol'
import { ASYNCAPI_PATH, DOCS_PREFIX } from '../src/plugins/openapi.js'
import { startTestApi, type TestApi } from './helpers.js'

let api: TestApi
beforeAll(async () => {
  api = await startTestApi()
})
afterAll(async () => {
  await api.close()
})

interface Operation {
  security?: Record<string, string[]>[]
  requestBody?: unknown
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>
}
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> }
const openApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}')

async function fetchDocument(): Promise<Document> {
  const res = await fetch(`${api.url}${DOCS_PREFIX}/json`)
  expect(res.status).toBe(200)
  return (await res.json()) as Document
}

test('the OpenAPI document at /docs/json is valid OpenAPI 3.1', async () => {
  const document = await fetchDocument()
  expect(document.openapi).toBe('3.1.0')
  const result = await new Validator().validate(document as never)
  expect(result.errors ?? []).toEqual([])
  expect(result.valid).toBe(true)
})

test('every route the API registered is in the document, with its method (the docs’ own routes aside)', async () => {
  const document = await fetchDocument()
  const routes = registeredRoutes(api.app.printRoutes({ commonPrefix: false })).filter(
    ({ url, method }) => method !== 'HEAD' && url !== DOCS_PREFIX && !url.startsWith(`${DOCS_PREFIX}/`),
  )
  // The contract's routes this branch registers, and /healthz and /metrics.
  expect(routes.length).toBeGreaterThanOrEqual(9)
  for (const { method, url } of routes) {
    const documented = Boolean(document.paths[openApiPath(url)]?.[method.toLowerCase()])
    expect({ method, url, documented }).toEqual({ method, url, documented: true })
  }
  // And nothing is documented that is not served.
  const served = new Set(routes.map(({ method, url }) => `${method} ${openApiPath(url)}`))
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const method of Object.keys(methods)) expect(served).toContain(`${method.toUpperCase()} ${path}`)
  }
})

/** Fastify's route tree as `printRoutes` draws it ("│   ├── /segment (GET, HEAD)"), back to full paths. */
function registeredRoutes(tree: string): { method: string; url: string }[] {
  const stack: string[] = []
  const routes: { method: string; url: string }[] = []
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line)
    if (!match) continue
    const depth = (match[1] ?? '').length / 4
    stack.length = depth
    stack.push(match[2] ?? '')
    for (const method of match[3]?.split(', ') ?? []) routes.push({ method, url: stack.join('') })
  }
  return routes
}

test('bodies, answers, error shapes and the bearer scheme are in the document', async () => {
  const document = await fetchDocument()
  const register = document.paths[Routes.register]?.post
  expect(register?.requestBody).toBeDefined()
  expect(Object.keys(register?.responses ?? {}).sort()).toEqual(['201', '400', '409', '413', '429', '500'])
  const taken = register?.responses['409']?.content?.['application/json']?.schema as { properties: { error: unknown } }
  expect(taken.properties.error).toMatchObject({ properties: { code: { enum: expect.arrayContaining(['EMAIL_TAKEN']) } } })
  expect(document.paths[Routes.listRooms]?.get?.security).toEqual([{ bearer: [] }])
  expect(register?.security).toBeUndefined()
})

test('a route the document says takes a bearer token answers 401 UNAUTHORIZED without one, and one it says is open does not', async () => {
  const document = await fetchDocument()
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (path.includes('{')) continue
      const res = await fetch(`${api.url}${path}`, {
        method: method.toUpperCase(),
        headers: { 'content-type': 'application/json' },
        body: method === 'post' ? '{}' : undefined,
      })
      const body = (await res.text()).slice(0, 200)
      if (operation.security) expect({ path, status: res.status, body }).toMatchObject({ path, status: 401 })
      else expect({ path, status: res.status }).not.toEqual({ path, status: 401 })
    }
  }
})

test('Swagger UI is served at /docs, and the AsyncAPI document beside it', async () => {
  const ui = await fetch(`${api.url}${DOCS_PREFIX}/`)
  expect(ui.status).toBe(200)
  expect(await ui.text()).toContain('swagger-ui')
  const asyncApi = await fetch(`${api.url}${ASYNCAPI_PATH}`)
  expect(asyncApi.status).toBe(200)
  expect(((await asyncApi.json()) as { asyncapi: string }).asyncapi).toBe('3.0.0')
})
