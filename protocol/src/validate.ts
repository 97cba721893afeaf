import type { Static, TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import { Value } from 'typebox/value'

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string }

export interface Validator<T extends TSchema> {
  schema: T
  check(value: unknown): Checked<Static<T>>
}

interface Checker {
  Check(value: unknown): boolean
  Errors(value: unknown): { instancePath: string; message: string }[]
}

function checkWith<T extends TSchema>(checker: Checker, value: unknown): Checked<Static<T>> {
  if (checker.Check(value)) return { ok: true, value: value as Static<T> }
  const first = checker.Errors(value)[0]
  if (!first) return { ok: false, message: 'payload is invalid' }
  const where = first.instancePath ? first.instancePath.slice(1).replaceAll('/', '.') : 'payload'
  return { ok: false, message: `${where} ${first.message}` }
}

/**
 * Compiles a schema (on first use, so importing this package evaluates no code); `check` answers the
 * value or one human line naming the first problem.
 */
export function validator<T extends TSchema>(schema: T): Validator<T> {
  let compiled: Checker | undefined
  return {
    schema,
    check(value) {
      compiled ??= Compile(schema)
      return checkWith(compiled, value)
    },
  }
}

/**
 * The same answers as `validator`, by interpreting the schema instead of compiling it: for pages
 * whose Content-Security-Policy forbids eval (the web app), where compiling would be refused.
 */
export function interpretedValidator<T extends TSchema>(schema: T): Validator<T> {
  const interpreter: Checker = {
    Check: (value) => Value.Check(schema, value),
    Errors: (value) => Value.Errors(schema, value),
  }
  return { schema, check: (value) => checkWith(interpreter, value) }
}
