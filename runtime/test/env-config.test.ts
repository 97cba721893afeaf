import Type from 'typebox'
import { ConfigError, convertExactly, readEnvConfig } from '../src/env-config.js'

const Schema = Type.Object({
  PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 3000 }),
  REDIS_URL: Type.String({ pattern: '^rediss?://', default: 'redis://127.0.0.1:6379' }),
  TRUST_PROXY: Type.Boolean({ default: false }),
})

test('defaults fill unset variables and strings convert', () => {
  expect(readEnvConfig(Schema, {})).toEqual({ PORT: 3000, REDIS_URL: 'redis://127.0.0.1:6379', TRUST_PROXY: false })
  expect(readEnvConfig(Schema, { PORT: '8081', TRUST_PROXY: 'true' })).toMatchObject({ PORT: 8081, TRUST_PROXY: true })
})

test('a bad variable is named', () => {
  expect(() => readEnvConfig(Schema, { PORT: 'eighty' })).toThrow(ConfigError)
  expect(() => readEnvConfig(Schema, { PORT: 'eighty' })).toThrow(/PORT \("eighty"\)/)
  expect(() => readEnvConfig(Schema, { REDIS_URL: 'http://x' })).toThrow(/REDIS_URL/)
})

test('a number that would not read back the same is refused, not truncated', () => {
  const Limits = Type.Object({
    CHAT_BURST: Type.Integer({ minimum: 1, default: 10 }),
    CHAT_RATE: Type.Number({ exclusiveMinimum: 0, default: 5 }),
  })
  expect(() => readEnvConfig(Limits, { CHAT_BURST: '2.5' })).toThrow(/CHAT_BURST \("2\.5"\)/)
  expect(() => readEnvConfig(Limits, { CHAT_BURST: '05' })).toThrow(/CHAT_BURST/)
  expect(() => readEnvConfig(Limits, { CHAT_BURST: '1e3' })).toThrow(/CHAT_BURST/)
  expect(readEnvConfig(Limits, { CHAT_BURST: '25', CHAT_RATE: '2.5' })).toEqual({ CHAT_BURST: 25, CHAT_RATE: 2.5 })
})

test('convertExactly converts exact numbers and booleans, leaves inexact text as it was', () => {
  const Query = Type.Object({ limit: Type.Integer(), before: Type.Number(), flag: Type.Boolean() })
  expect(convertExactly(Query, { limit: '50', before: '-1.5', flag: 'true' })).toEqual({ limit: 50, before: -1.5, flag: true })
  expect(convertExactly(Query, { limit: '50.0', before: ' 3', flag: 'false' })).toEqual({
    limit: '50.0',
    before: ' 3',
    flag: false,
  })
  expect(convertExactly(Query, 'not an object')).toBe('not an object')
})
