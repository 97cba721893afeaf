import { LoginBody, RegisterBody } from '@hangout/protocol'
import { useState } from 'preact/hooks'
import { apiFieldErrors, EMAIL_TAKEN_MESSAGE, type FieldErrors, formChecker } from '../formErrors.js'
import { invitation } from '../routes.js'
import { useServices } from '../services.js'
import { useTitle } from '../useTitle.js'
import { Field } from './Field.js'
import { Link } from './Link.js'

type Mode = 'login' | 'register'
type Key = 'name' | 'email' | 'password'

const checkRegister = formChecker({
  name: { schema: RegisterBody.properties.name, label: 'Name' },
  email: { schema: RegisterBody.properties.email, label: 'Email' },
  password: { schema: RegisterBody.properties.password, label: 'Password' },
})
/** The contract's shortest password, shown as a hint before anyone gets it wrong. */
const PASSWORD_MIN = (RegisterBody.properties.password as { minLength?: number }).minLength ?? 8

const checkLogin = formChecker({
  email: { schema: LoginBody.properties.email, label: 'Email' },
  password: { schema: LoginBody.properties.password, label: 'Password' },
})

export function AuthPage({ mode, next }: { mode: Mode; next: string | null }) {
  const { api, session, router } = useServices()
  const [values, setValues] = useState({ name: '', email: '', password: '' })
  const [errors, setErrors] = useState<FieldErrors<Key>>({})
  const [busy, setBusy] = useState(false)
  const registering = mode === 'register'
  const notice = session.notice.value
  const suffix = next ? `?next=${encodeURIComponent(next)}` : ''
  useTitle(registering ? 'Create an account' : 'Sign in')
  const invited = invitation(next)

  const set = (key: Key) => (value: string) => {
    setValues((old) => ({ ...old, [key]: value }))
    if (errors[key]) setErrors((old) => ({ ...old, [key]: undefined }))
  }

  async function submit(event: Event) {
    event.preventDefault()
    const email = values.email.trim()
    const found = registering
      ? checkRegister({ name: values.name, email, password: values.password })
      : checkLogin({ email, password: values.password })
    setErrors(found)
    if (Object.keys(found).length > 0) {
      document.getElementById(`auth-${Object.keys(found)[0]}`)?.focus()
      return
    }
    setBusy(true)
    try {
      const answer = registering
        ? await api.register({ name: values.name.trim(), email, password: values.password })
        : await api.login({ email, password: values.password })
      session.start(answer.token, answer.user)
      router.navigate(next ?? '/', { replace: true })
    } catch (error) {
      setErrors(apiFieldErrors<Key>(error, registering ? ['name', 'email', 'password'] : ['email', 'password']))
      setBusy(false)
    }
  }

  return (
    <section class="panel narrow auth" aria-labelledby="auth-title">
      <h1 id="auth-title">{registering ? 'Create your account' : 'Sign in'}</h1>
      <p class="lede">{registering ? 'Meet friends in a room, chat, and shop together.' : 'Welcome back to Hangout.'}</p>
      {notice && (
        <p class="notice" role="alert">
          {notice}
        </p>
      )}
      {invited && (
        <p class="notice notice--invite">
          You were invited to {invited.name ? `the room “${invited.name}”` : 'a room'}.{' '}
          {registering ? 'Create an account' : 'Sign in'} to join it: you will go straight in.
        </p>
      )}
      <form onSubmit={submit} noValidate>
        {registering && (
          <Field id="auth-name" label="Name" value={values.name} onInput={set('name')} error={errors.name} autoComplete="name" />
        )}
        <Field
          id="auth-email"
          label="Email"
          type="email"
          value={values.email}
          onInput={set('email')}
          error={errors.email}
          errorAction={
            registering && errors.email === EMAIL_TAKEN_MESSAGE ? (
              <Link href={`/login${suffix}`}>Sign in instead?</Link>
            ) : undefined
          }
          autoComplete="email"
        />
        <Field
          id="auth-password"
          label="Password"
          type="password"
          value={values.password}
          onInput={set('password')}
          error={errors.password}
          autoComplete={registering ? 'new-password' : 'current-password'}
          hint={registering ? `At least ${PASSWORD_MIN} characters.` : undefined}
        />
        {errors.form && (
          <p class="form-error" role="alert">
            {errors.form}
          </p>
        )}
        <button type="submit" class="button button--primary button--wide" disabled={busy}>
          {registering ? 'Create account' : 'Sign in'}
        </button>
      </form>
      <p class="auth__switch">
        {registering ? (
          <>
            Already have an account? <Link href={`/login${suffix}`}>Sign in instead</Link>
          </>
        ) : (
          <>
            New here? <Link href={`/register${suffix}`}>Create an account instead</Link>
          </>
        )}
      </p>
    </section>
  )
}
