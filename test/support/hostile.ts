/** fast-check arbitraries of hostile input: wrong types, huge strings, deep nesting, pollution keys, binary. */
import fc from 'fast-check'
import { Decoder, Encoder, type Packet, PacketType } from 'socket.io-parser'

export const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype'] as const

/** An array nested `depth` levels deep: [[[...]]]. */
export function nested(depth: number): unknown {
  let value: unknown = 'bottom'
  for (let i = 0; i < depth; i++) value = [value]
  return value
}

/** `{ [key]: value }` as an own property, even for `__proto__` (a literal would set the prototype). */
export function withOwn(base: object, key: string, value: unknown): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...base }
  Object.defineProperty(copy, key, { value, enumerable: true, configurable: true, writable: true })
  return copy
}

/**
 * Values that fit in one Socket.io frame (under the gateway's 32 KiB) but no field of the contract:
 * JSON of any shape, 20k-character strings, 2000-deep arrays, pollution objects, NaN and friends.
 */
export function hostileValue(options: { binary: boolean }): fc.Arbitrary<unknown> {
  const choices: fc.Arbitrary<unknown>[] = [
    fc.anything({ maxDepth: 3 }),
    fc.jsonValue({ maxDepth: 4 }),
    fc.string({ maxLength: 4000, unit: 'binary' }),
    fc.integer({ min: 2001, max: 20_000 }).map((n) => 'x'.repeat(n)),
    fc.integer({ min: 50, max: 2000 }).map(nested),
    fc.constantFrom(...POLLUTION_KEYS).map((key) => withOwn({}, key, { polluted: true, isAdmin: true })),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, -1, 1.5, 2 ** 53, 0.5, 21, 4, '1', 'true', true, null, []),
  ]
  if (options.binary) choices.push(fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)))
  return fc.oneof(...choices)
}

/** Hostile variants of one valid payload: the whole thing replaced, one field replaced, a key added. */
export function hostilePayload(valid: Record<string, unknown>, options: { binary: boolean }): fc.Arbitrary<unknown> {
  const value = hostileValue(options)
  const fields = Object.keys(valid)
  const key = fc.oneof(fc.constantFrom(...POLLUTION_KEYS, 'user', 'userId', 'ok', ...fields), fc.string({ maxLength: 30 }))
  return fc.oneof(
    value,
    fc.dictionary(key, value, { maxKeys: 5 }),
    fc.record({ field: fc.constantFrom(...fields), value }).map(({ field, value }) => withOwn(valid, field, value)),
    fc.record({ key, value }).map(({ key, value }) => withOwn(valid, key, value)),
    fc.constantFrom(...fields).map((field) => {
      const { [field]: _dropped, ...rest } = valid
      return rest
    }),
  )
}

/**
 * The payload as a gateway decodes it: encoded by socket.io-parser as the client sends it (JSON
 * drops undefined keys, binary goes out as attachments) and decoded as the server does.
 */
export function asSent(payload: unknown): unknown {
  let decoded: unknown[] | undefined
  const decoder = new Decoder()
  decoder.on('decoded', (packet: Packet) => {
    decoded = packet.data as unknown[]
  })
  for (const part of new Encoder().encode({ type: PacketType.EVENT, nsp: '/', data: ['probe', payload] })) decoder.add(part)
  if (!decoded) throw new Error('socket.io-parser did not decode its own packet')
  return decoded[1] ?? null
}

/** A raw request body as the API parses it: JSON text when it is some, else the string itself. */
export function bodyAsParsed(body: unknown): unknown {
  if (typeof body !== 'string') return JSON.parse(JSON.stringify(body) ?? 'null')
  try {
    return JSON.parse(body)
  } catch {
    return body
  }
}

/** True when the value, as JSON, stays well under the gateway's 32 KiB frame limit. */
export function fitsInFrame(value: unknown): boolean {
  return (JSON.stringify(value) ?? '').length < 30_000
}
