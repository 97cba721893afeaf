import { Collections, type UserDoc } from '@hangout/store'
import { call, register, startTestApi, type TestApi, uniqueEmail } from './helpers.js'

let api: TestApi
beforeAll(async () => {
  api = await startTestApi()
})
afterAll(() => api.close())

const users = () => api.clients.db.collection<UserDoc>(Collections.users)

describe('POST /auth/register', () => {
  test('creates the user (name trimmed), answers 201 with a token and the user without any hash', async () => {
    const email = uniqueEmail('Reg')
    const answer = await call(api.url, 'POST', '/auth/register', {
      body: { name: '  Ann Lee  ', email, password: 'pa55word-long' },
    })
    expect(answer.status).toBe(201)
    expect(Object.keys(answer.body).sort()).toEqual(['token', 'user'])
    expect(answer.body.user).toEqual({ id: expect.any(String), name: 'Ann Lee', email, createdAt: expect.any(String) })
    expect(answer.body.user.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(new Date(answer.body.user.createdAt).toISOString()).toBe(answer.body.user.createdAt)
    const claims = JSON.parse(Buffer.from(answer.body.token.split('.')[1], 'base64url').toString())
    const header = JSON.parse(Buffer.from(answer.body.token.split('.')[0], 'base64url').toString())
    expect(header.alg).toBe('EdDSA')
    expect(claims).toMatchObject({ sub: answer.body.user.id, name: 'Ann Lee', iss: 'hangout-api', aud: 'hangout' })
    expect(claims.exp - claims.iat).toBe(12 * 3600)
  })

  test('stores an argon2id hash (OWASP parameters), never the password', async () => {
    const password = 'a-secret-that-must-not-be-stored'
    const { user } = await register(api.url, 'Bob', uniqueEmail(), password)
    const doc = await users().findOne({ _id: user.id })
    expect(doc?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/)
    expect(JSON.stringify(doc)).not.toContain(password)
  })

  test('a second registration of the same email, in any case, is 409 EMAIL_TAKEN', async () => {
    const email = uniqueEmail('Case')
    await register(api.url, 'First', email)
    const again = await call(api.url, 'POST', '/auth/register', {
      body: { name: 'Second', email: email.toUpperCase(), password: 'whatever-pass' },
    })
    expect(again.status).toBe(409)
    expect(again.body).toEqual({ error: { code: 'EMAIL_TAKEN', message: expect.any(String) } })
    expect(await users().countDocuments({ emailKey: email.toLowerCase() })).toBe(1)
  })

  test('10 racing registrations of one email: one 201, nine 409, one user stored', async () => {
    const email = uniqueEmail('race')
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        call(api.url, 'POST', '/auth/register', { body: { name: `Racer ${i}`, email, password: 'racing-pass' } }),
      ),
    )
    const statuses = answers.map((a) => a.status).sort()
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409, 409, 409])
    expect(await users().countDocuments({ emailKey: email })).toBe(1)
  })

  test.each([
    [{ email: uniqueEmail(), password: 'long-enough' }, /name/],
    [{ name: '   ', email: uniqueEmail(), password: 'long-enough' }, /name must be 1-40 characters after trimming/],
    [{ name: 'x'.repeat(41), email: uniqueEmail(), password: 'long-enough' }, /name/],
    [{ name: 'Ann', email: 'not-an-email', password: 'long-enough' }, /email must match format "email"/],
    [{ name: 'Ann', email: 'ann@', password: 'long-enough' }, /email/],
    [{ name: 'Ann', email: 'ann lee@example.com', password: 'long-enough' }, /email/],
    [{ name: 'Ann', email: uniqueEmail(), password: 'short' }, /password/],
    [{ name: 'Ann', email: uniqueEmail(), password: 'x'.repeat(129) }, /password/],
    [{ name: 'Ann', email: uniqueEmail(), password: 'long-enough', admin: true }, /body/],
    [{ name: 'Ann', email: { $gt: '' }, password: 'long-enough' }, /email must be string/],
    [{ name: { $ne: null }, email: uniqueEmail(), password: 'long-enough' }, /name/],
  ])('refuses %j with 400 VALIDATION_FAILED naming the field, storing nothing', async (body, message) => {
    const before = await users().countDocuments()
    const answer = await call(api.url, 'POST', '/auth/register', { body })
    expect(answer.status).toBe(400)
    expect(answer.body.error.code).toBe('VALIDATION_FAILED')
    expect(answer.body.error.message).toMatch(message)
    expect(await users().countDocuments()).toBe(before)
  })
})

describe('POST /auth/login', () => {
  test('answers 200 with a fresh token and the user, the email in any case', async () => {
    const reg = await register(api.url, 'Cleo', uniqueEmail('Login'))
    const answer = await call(api.url, 'POST', '/auth/login', {
      body: { email: reg.email.toUpperCase(), password: reg.password },
    })
    expect(answer.status).toBe(200)
    expect(answer.body.user).toEqual(reg.user)
    const profile = await call(api.url, 'GET', '/auth/profile', { token: answer.body.token })
    expect(profile.body).toEqual({ user: reg.user })
  })

  test('a wrong password and an unknown email answer the same 401', async () => {
    const reg = await register(api.url)
    const wrong = await call(api.url, 'POST', '/auth/login', { body: { email: reg.email, password: 'not-the-password' } })
    const unknown = await call(api.url, 'POST', '/auth/login', { body: { email: uniqueEmail('nobody'), password: reg.password } })
    expect(wrong.status).toBe(401)
    expect(unknown.status).toBe(401)
    expect(wrong.body).toEqual({ error: { code: 'UNAUTHORIZED', message: 'email or password is wrong' } })
    expect(unknown.body).toEqual(wrong.body)
  })

  test('operator objects never reach the query: 400', async () => {
    await register(api.url)
    for (const body of [
      { email: { $gt: '' }, password: 'whatever-pass' },
      { email: uniqueEmail(), password: { $ne: 'x' } },
      { email: { $regex: '.*' }, password: { $gt: '' } },
    ]) {
      const answer = await call(api.url, 'POST', '/auth/login', { body })
      expect(answer.status).toBe(400)
      expect(answer.body.error.code).toBe('VALIDATION_FAILED')
    }
  })
})

describe('GET /auth/profile', () => {
  test('answers the user of the token', async () => {
    const reg = await register(api.url, 'Dee')
    const answer = await call(api.url, 'GET', '/auth/profile', { token: reg.token })
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual({ user: reg.user })
  })

  test('without a token: 401; with the token of a user that no longer exists: 401', async () => {
    expect((await call(api.url, 'GET', '/auth/profile')).body.error.code).toBe('UNAUTHORIZED')
    const reg = await register(api.url, 'Gone')
    await users().deleteOne({ _id: reg.user.id })
    const answer = await call(api.url, 'GET', '/auth/profile', { token: reg.token })
    expect(answer.status).toBe(401)
    expect(answer.body.error.code).toBe('UNAUTHORIZED')
  })
})
