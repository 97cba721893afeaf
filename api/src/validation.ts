import { convertExactly } from '@hangout/runtime'
import type { FastifySchemaCompiler } from 'fastify'
import type { TSchema } from 'typebox'
import { Compile } from 'typebox/compile'

/**
 * Fastify checks every input with TypeBox's own compiler (Ajv never runs), so the protocol's
 * schemas, Type.Refine and formats included, are the one check. Bodies are checked as sent;
 * querystring and params are text, converted to the schema's numbers only when exact.
 */
export const typeboxValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const compiled = Compile(schema)
  return (value: unknown) => {
    const input = httpPart === 'body' ? value : convertExactly(schema, value)
    if (compiled.Check(input)) return { value: input }
    return { error: compiled.Errors(input) }
  }
}
