import type { Ref } from 'preact'

interface FieldProps {
  id: string
  label: string
  value: string
  onInput(value: string): void
  error?: string | undefined
  type?: 'text' | 'email' | 'password'
  autoComplete?: string
  hint?: string
  inputRef?: Ref<HTMLInputElement>
}

/** A labelled input whose error sits beside it and is announced with it. */
export function Field({ id, label, value, onInput, error, type = 'text', autoComplete, hint, inputRef }: FieldProps) {
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined
  return (
    <div class={error ? 'field field--invalid' : 'field'}>
      <label for={id}>{label}</label>
      <input
        id={id}
        ref={inputRef}
        // Preact's typings split <input> by type; this one field serves the three text-like types.
        type={type as 'text'}
        value={value}
        autoComplete={autoComplete}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={described}
        onInput={(event) => onInput(event.currentTarget.value)}
      />
      {hint && (
        <p id={`${id}-hint`} class="field__hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} class="field__error">
          {error}
        </p>
      )}
    </div>
  )
}
