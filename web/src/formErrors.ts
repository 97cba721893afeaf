import { interpretedValidator, type Validator } from '@hangout/protocol'
import { ApiError } from './api.js'

type Schema = Parameters<typeof interpretedValidator>[0]
export type FieldErrors<K extends string> = Partial<Record<K | 'form', string>>

function humanize(label: string, value: unknown, message: string): string {
  if (typeof value !== 'string' || value.trim() === '') return `${label} is required.`
  if (message.includes('format "email"')) return 'Enter a valid email address.'
  return `${label} ${message.replace(/^payload /, '')}.`
}

/** Checks each field of a form on its own against its contract schema, so every wrong field gets its message. */
export function formChecker<K extends string>(fields: Record<K, { schema: Schema; label: string }>) {
  const checks = Object.entries(fields).map(([key, field]) => {
    const { schema, label } = field as { schema: Schema; label: string }
    return { key: key as K, label, validator: interpretedValidator(schema) as Validator<Schema> }
  })
  return (values: Record<K, unknown>): FieldErrors<K> => {
    const errors: FieldErrors<K> = {}
    for (const { key, label, validator } of checks) {
      const checked = validator.check(values[key])
      if (!checked.ok) errors[key] = humanize(label, values[key], checked.message)
    }
    return errors
  }
}

/**
 * Places the API's refusal next to the field it is about: a validation message that starts by
 * naming a field (`email ...`, `/email ...`, `body/email ...`), or a taken email; otherwise on the form.
 */
export function apiFieldErrors<K extends string>(error: unknown, fields: readonly K[]): FieldErrors<K> {
  if (!(error instanceof ApiError)) return { form: 'Something went wrong. Please try again.' } as FieldErrors<K>
  const errors: FieldErrors<K> = {}
  if (error.code === 'EMAIL_TAKEN' && fields.includes('email' as K)) {
    errors['email' as K] = 'That email is already registered. Sign in instead?'
    return errors
  }
  if (error.code === 'VALIDATION_FAILED') {
    const named = error.message.match(/^(?:body)?[/.]?([A-Za-z]+)\b/)?.[1]
    const field = fields.find((candidate) => candidate === named)
    if (field) {
      errors[field] = error.message
      return errors
    }
  }
  errors.form = error.message
  return errors
}
