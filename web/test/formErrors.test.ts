import { RegisterBody } from '@hangout/protocol'
import { ApiError } from '../src/api.js'
import { apiFieldErrors, formChecker } from '../src/formErrors.js'

const check = formChecker({
  name: { schema: RegisterBody.properties.name, label: 'Name' },
  email: { schema: RegisterBody.properties.email, label: 'Email' },
  password: { schema: RegisterBody.properties.password, label: 'Password' },
})

describe('form errors', () => {
  test('each wrong field gets its own message from the contract’s schema', () => {
    expect(check({ name: 'Ana', email: 'ana@example.com', password: 'long enough' })).toEqual({})
    const errors = check({ name: '   ', email: 'nope', password: 'short' })
    expect(errors.name).toBe('Name is required.')
    expect(errors.email).toBe('Enter a valid email address.')
    expect(errors.password).toBe('Password needs at least 8 characters.')
    expect(check({ name: 'Ana', email: 'a@b.co', password: ' '.repeat(8) }).password).toBe('Password cannot be only spaces.')
    expect(check({ name: 'Ana', email: 'a@b.co', password: 'x'.repeat(129) }).password).toBe(
      'Password can be at most 128 characters.',
    )
    expect(check({ name: 'x'.repeat(41), email: 'a@b.co', password: 'x'.repeat(8) }).name).toMatch(/^Name .*40/)
  })

  test('the API’s refusals land beside the field they name, or on the form', () => {
    const fields = ['name', 'email', 'password'] as const
    expect(apiFieldErrors(new ApiError(409, 'EMAIL_TAKEN', 'taken'), [...fields]).email).toMatch(/already registered/)
    expect(apiFieldErrors(new ApiError(400, 'VALIDATION_FAILED', 'email must match format "email"'), [...fields])).toEqual({
      email: 'Email must match format "email"',
    })
    expect(apiFieldErrors(new ApiError(400, 'VALIDATION_FAILED', 'body/password is too short'), [...fields])).toEqual({
      password: 'Body/password is too short',
    })
    expect(apiFieldErrors(new ApiError(401, 'UNAUTHORIZED', 'Wrong email or password'), [...fields])).toEqual({
      form: 'Wrong email or password',
    })
    expect(apiFieldErrors(new ApiError(401, 'UNAUTHORIZED', 'email or password is wrong'), [...fields]).form).toBe(
      'Email or password is wrong',
    )
    expect(apiFieldErrors(new Error('boom'), [...fields]).form).toMatch(/went wrong/)
  })
})
