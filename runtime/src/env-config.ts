import type { Static, TObject, TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import { Value } from 'typebox/value'

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/**
 * Turns environment variables into a typed config: the schema's property names are the variable
 * names; defaults fill what is unset, strings are converted to numbers (only when exact) and booleans. Throws a
 * ConfigError naming the first bad variable.
 */
export function readEnvConfig<T extends TObject>(schema: T, env: NodeJS.ProcessEnv): Static<T> {
  const raw: Record<string, unknown> = {}
  for (const key of Object.keys(schema.properties)) {
    const value = env[key]
    if (value !== undefined && value !== '') raw[key] = value
  }
  const converted = convertExactly(schema, Value.Default(schema, raw))
  const compiled = Compile(schema)
  if (compiled.Check(converted)) return converted as Static<T>
  const first = compiled.Errors(converted)[0]
  const variable = first?.instancePath.slice(1) || Object.keys(schema.properties).find((k) => !(k in raw)) || 'environment'
  const shown = variable in raw ? JSON.stringify(raw[variable]) : 'unset'
  throw new ConfigError(`config: ${variable} (${shown}) ${first?.message ?? 'is invalid'}`)
}

/**
 * Value.Convert of an object's text fields, except that text whose number would not read back the
 * same (`2.5` for an integer becomes 2, `05`, `1e3`) stays text, so the schema refuses it.
 */
export function convertExactly(schema: TSchema, value: unknown): unknown {
  // Convert works in place: keep the original text to compare with.
  const converted = Value.Convert(schema, Value.Clone(value))
  if (!isRecord(value) || !isRecord(converted)) return converted
  const exact: Record<string, unknown> = { ...converted }
  for (const [key, raw] of Object.entries(value)) {
    if (typeof raw === 'string' && typeof exact[key] === 'number' && String(exact[key]) !== raw) exact[key] = raw
  }
  return exact
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
