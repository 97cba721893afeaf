import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AuthResponse, LoginBody, ProfileResponse, RegisterBody, Routes } from '@hangout/protocol'
import { ApiError } from '../errors.js'
import { newUserId } from '../ids.js'
import { hashPassword, verifyPassword } from '../passwords.js'
import type { Stores } from '../store/index.js'
import { emailKey, userFromDoc } from '../store/users.js'

const BAD_CREDENTIALS = 'email or password is wrong'

export const authRoutes: FastifyPluginAsyncTypebox<{ stores: Stores }> = async (app, { stores }) => {
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
      await stores.users.create(doc)
      const user = userFromDoc(doc)
      return reply.code(201).send({ token: app.issueToken({ sub: user.id, name: user.name }), user })
    },
  )

  app.post(
    Routes.login,
    { schema: { body: LoginBody, response: { 200: AuthResponse } }, config: { rateLimit: {} } },
    async (request) => {
      await app.limitLoginEmail(request)
      const doc = await stores.users.findByEmail(request.body.email)
      if (!(await verifyPassword(doc?.passwordHash, request.body.password)) || !doc) {
        throw new ApiError('UNAUTHORIZED', BAD_CREDENTIALS)
      }
      const user = userFromDoc(doc)
      return { token: app.issueToken({ sub: user.id, name: user.name }), user }
    },
  )

  app.get(Routes.profile, { schema: { response: { 200: ProfileResponse } }, onRequest: app.authenticate }, async (request) => {
    const doc = await stores.users.findById(request.user.sub)
    if (!doc) throw new ApiError('UNAUTHORIZED', 'this account no longer exists')
    return { user: userFromDoc(doc) }
  })
}
