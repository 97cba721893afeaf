import { interpretedValidator, type Validator } from '@hangout/protocol'
import { ApiError } from './api.js'

type Schema = Parameters<typeof interpretedValidator>[0]
export type FieldErrors<K extends string> = Partial<Record<K | 'form', string>>

function humanize(label: string, value: unknown, message: string): string {
  if (typeof value !== 'string' || value === '') return `${label} is required.`
  if (value.trim() === '') return label === 'Password' ? 'Password cannot be only spaces.' : `${label} is required.`
  if (message.includes('format "email"')) return 'Enter a valid email address.'
  const fewer = message.match(/fewer than (\d+) characters/)
  if (fewer) return `${label} needs at least ${fewer[1]} characters.`
  const more = message.match(/more than (\d+) characters/)
  if (more) return `${label} can be at most ${more[1]} characters.`
  return capitalise(`${label} ${message.replace(/^payload /, '')}.`)
}

/** Messages start with a capital letter, whoever wrote them. */
export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

export const EMAIL_TAKEN_MESSAGE = 'That email is already registered.'

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
    errors['email' as K] = EMAIL_TAKEN_MESSAGE
    return errors
  }
  if (error.code === 'VALIDATION_FAILED') {
    const named = error.message.match(/^(?:body)?[/.]?([A-Za-z]+)\b/)?.[1]
    const field = fields.find((candidate) => candidate === named)
    if (field) {
      errors[field] = capitalise(error.message)
      return errors
    }
  }
  errors.form = capitalise(error.message)
  return errors
}
