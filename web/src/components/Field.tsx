import type { ComponentChildren, Ref } from 'preact'

interface FieldProps {
  id: string
  label: string
  value: string
  onInput(value: string): void
  error?: string | undefined
  /** Shown after the error, e.g. a link out of it. */
  errorAction?: ComponentChildren
  type?: 'text' | 'email' | 'password'
  autoComplete?: string
  hint?: string
  inputRef?: Ref<HTMLInputElement>
}

/** A labelled input whose error sits beside it and is announced with it. */
export function Field({
  id,
  label,
  value,
  onInput,
  error,
  errorAction,
  type = 'text',
  autoComplete,
  hint,
  inputRef,
}: FieldProps) {
  // An error replaces the hint rather than repeating it.
  const shownHint = error ? undefined : hint
  const described = [shownHint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined
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
      {shownHint && (
        <p id={`${id}-hint`} class="field__hint">
          {shownHint}
        </p>
      )}
      {error && (
        <p class="field__error">
          <span id={`${id}-error`}>{error}</span>
          {errorAction && <> {errorAction}</>}
        </p>
      )}
    </div>
  )
}
