import { readFileSync } from 'node:fs'
import { Parser } from '@asyncapi/parser'
import { ClientEvent, ClientPayloads, ServerEvent } from '../src/index.js'
import { ASYNCAPI_FILE, renderAsyncApi } from '../scripts/asyncapi.js'

test('docs/asyncapi.json is what the generator writes from the schemas now (run: pnpm --filter @hangout/protocol asyncapi)', () => {
  expect(readFileSync(ASYNCAPI_FILE, 'utf8')).toBe(renderAsyncApi())
})

describe('the AsyncAPI document', () => {
  const parse = async () => {
    const { document, diagnostics } = await new Parser().parse(readFileSync(ASYNCAPI_FILE, 'utf8'))
    // Severity 0 is an error: the parser gives no document then.
    const errors = diagnostics.filter((d) => d.severity === 0)
    expect(errors.map((d) => `${d.path.join('.')}: ${d.message}`)).toEqual([])
    if (!document) throw new Error('no document')
    return document
  }

  test('parses as valid AsyncAPI 3 with @asyncapi/parser', async () => {
    const document = await parse()
    expect(document.version()).toBe('3.0.0')
  })

  test('names every client event with its payload schema and an ack reply, and every server event', async () => {
    const document = await parse()
    const received = document
      .operations()
      .all()
      .filter((op) => op.action() === 'receive')
    const clientEvents = received.flatMap((op) =>
      op
        .messages()
        .all()
        .map((m) => m.name()),
    )
    expect(clientEvents.sort()).toEqual(Object.values(ClientEvent).sort())
    for (const op of received) {
      const [message] = op.messages().all()
      const event = message?.name() as keyof typeof ClientPayloads
      expect(withoutParserIds(message?.payload()?.json())).toEqual(JSON.parse(JSON.stringify(ClientPayloads[event])))
      const ack = op.reply()?.messages().all()[0]?.payload()?.json() as { anyOf?: { properties?: { ok?: unknown } }[] }
      // Every ack is {ok: true, ...} or the AckError shape.
      expect(ack.anyOf?.map((branch) => (branch.properties?.ok as { const?: boolean })?.const)).toEqual([true, false])
    }
    const sent = document
      .operations()
      .all()
      .filter((op) => op.action() === 'send')
      .flatMap((op) =>
        op
          .messages()
          .all()
          .map((m) => m.name()),
      )
    expect(sent.sort()).toEqual([...Object.values(ServerEvent), 'connect_error'].sort())
  })
})

/** The parser tags every schema it read with an `x-parser-schema-id`: not part of what we wrote. */
function withoutParserIds(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (key, v) => (key === 'x-parser-schema-id' ? undefined : v))
}
