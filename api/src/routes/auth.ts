import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AuthResponse, LoginBody, ProfileResponse, RegisterBody, Routes } from '@hangout/protocol'
import { ApiError } from '../errors.js'
import { newUserId } from '../ids.js'
import { hashPassword, verifyPassword } from '../passwords.js'
import { DuplicateKeyError, emailKey, type Stores, userFromDoc } from '@hangout/store'
import type { Revocations } from '../revocations.js'

const BAD_CREDENTIALS = 'email or password is wrong'

export const authRoutes: FastifyPluginAsyncTypebox<{ stores: Stores; revocations: Revocations }> = async (
  app,
  { stores, revocations },
) => {
  app.post(
    Routes.register,
    { schema: { body: RegisterBody, response: { 201: AuthResponse } }, config: { rateLimit: {} } },
    async (request, reply) => {
      const { name, email, password } = request.body
      const doc = {
        _id: newUserId(),
        name: name.trim(),
        email,
        emailKey: emailKey(email),
        passwordHash: await hashPassword(password),
        createdAt: new Date(),
      }
      await stores.users.create(doc).catch((err: unknown) => {
        throw err instanceof DuplicateKeyError ? new ApiError('EMAIL_TAKEN', 'this email is already registered') : err
      })
      const user = userFromDoc(doc)
      return reply.code(201).send({ token: app.issueToken({ sub: user.id, name: user.name }), user })
    },
  )

  app.post(
    Routes.login,
    {
      schema: { body: LoginBody, response: { 200: AuthResponse } },
      config: { rateLimit: {} },
      preHandler: app.limitLoginFailures,
    },
    async (request) => {
      const email = emailKey(request.body.email)
      const doc = await stores.users.findByEmail(email)
      if (!(await verifyPassword(doc?.passwordHash, request.body.password)) || !doc) {
        await app.loginLimits.failed(email, request.ip)
        throw new ApiError('UNAUTHORIZED', BAD_CREDENTIALS)
      }
      await app.loginLimits.succeeded(email, request.ip)
      const user = userFromDoc(doc)
      return { token: app.issueToken({ sub: user.id, name: user.name }), user }
    },
  )

  app.post(Routes.logout, { onRequest: app.authenticate, preHandler: app.checkSession }, async (request, reply) => {
    await revocations.revokeToken(request.user)
    return reply.code(204).send()
  })

  app.get(
    Routes.profile,
    { schema: { response: { 200: ProfileResponse } }, onRequest: app.authenticate, preHandler: app.checkSession },
    async (request) => {
      const doc = await stores.users.findById(request.user.sub)
      if (!doc) throw new ApiError('UNAUTHORIZED', 'this account no longer exists')
      return { user: userFromDoc(doc) }
    },
  )
}
