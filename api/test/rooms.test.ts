import { randomBytes } from 'node:crypto'
import {
  Collections,
  type MembershipDoc,
  type MessageDoc,
  membershipId,
  messageFromDoc,
  messagesStore,
  RecentHistory,
  RedisKeys,
  RoomRecords,
  type RoomDoc,
  presenceField,
} from '@hangout/store'
import { call, register, startTestApi, type TestApi } from './helpers.js'

let api: TestApi
let token: string
let userId: string
const redisKeys: string[] = []
beforeAll(async () => {
  api = await startTestApi()
  const reg = await register(api.url, 'Roomy')
  token = reg.token
  userId = reg.user.id
})
afterAll(async () => {
  if (redisKeys.length) await api.clients.redis.del(...redisKeys)
  await api.close()
})

async function createRoom(name: string) {
  const answer = await call(api.url, 'POST', '/rooms/room', { token, body: { name } })
  expect(answer.status).toBe(201)
  return answer.body.room as { id: string; name: string; ownerId: string; createdAt: string }
}

describe('POST /rooms/room', () => {
  test('creates a room owned by the caller, name trimmed, with a 12-character URL-safe id', async () => {
    const room = await createRoom('  Friday sale  ')
    expect(room).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{12}$/),
      name: 'Friday sale',
      ownerId: userId,
      createdAt: expect.any(String),
    })
    const doc = await api.clients.db.collection<RoomDoc>(Collections.rooms).findOne({ _id: room.id })
    expect(doc).toMatchObject({ name: 'Friday sale', ownerId: userId })
  })

  test("puts the room's record and its empty, warm history in Redis, so its first joins read no MongoDB", async () => {
    const room = await createRoom('Warm from the start')
    redisKeys.push(RedisKeys.record(room.id), RedisKeys.recent(room.id))
    expect(await new RoomRecords(api.clients.redis).get(room.id)).toEqual(room)
    expect(await new RecentHistory(api.clients.redis, messagesStore(api.clients.db)).cachedPage(room.id, undefined, 50)).toEqual(
      [],
    )
    expect(await api.clients.redis.ttl(RedisKeys.record(room.id))).toBeGreaterThan(0)
  })

  test.each([[{ name: '   ' }], [{ name: 'x'.repeat(61) }], [{}], [{ name: 'ok', extra: 1 }], [{ name: { $gt: '' } }]])(
    'refuses %j with 400 VALIDATION_FAILED',
    async (body) => {
      const answer = await call(api.url, 'POST', '/rooms/room', { token, body })
      expect(answer.status).toBe(400)
      expect(answer.body.error.code).toBe('VALIDATION_FAILED')
    },
  )

  test('requires a token', async () => {
    const answer = await call(api.url, 'POST', '/rooms/room', { body: { name: 'no token' } })
    expect(answer.status).toBe(401)
    expect(answer.body.error.code).toBe('UNAUTHORIZED')
  })
})

describe('POST /rooms/join', () => {
  test('answers the room', async () => {
    const room = await createRoom('Joinable')
    const other = await register(api.url, 'Joiner')
    const answer = await call(api.url, 'POST', '/rooms/join', { token: other.token, body: { roomId: room.id } })
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual({ room })
  })

  test('an unknown room is 404 ROOM_NOT_FOUND; a malformed id or an operator object is 400', async () => {
    const unknown = await call(api.url, 'POST', '/rooms/join', { token, body: { roomId: 'doesNotExist' } })
    expect(unknown.status).toBe(404)
    expect(unknown.body.error.code).toBe('ROOM_NOT_FOUND')
    for (const roomId of ['has space', 'a/b', '', { $ne: null }]) {
      const answer = await call(api.url, 'POST', '/rooms/join', { token, body: { roomId } })
      expect(answer.status).toBe(400)
      expect(answer.body.error.code).toBe('VALIDATION_FAILED')
    }
  })
})

describe('GET /rooms', () => {
  test('lists the rooms the caller owns or joined, most recently used first, each with the distinct users online', async () => {
    const older = await createRoom('Older')
    const newer = await createRoom('Newer')
    const key = RedisKeys.presence(newer.id)
    redisKeys.push(key)
    // one user on two nodes counts once; another user once: 2 online
    await api.clients.redis.hset(
      key,
      presenceField('u1', 'node-a'),
      '1',
      presenceField('u1', 'node-b'),
      '2',
      presenceField('u2', 'node-a'),
      '1',
    )
    const answer = await call(api.url, 'GET', '/rooms', { token })
    expect(answer.status).toBe(200)
    const ids = answer.body.rooms.map((r: { id: string }) => r.id)
    expect(ids.indexOf(newer.id)).toBeLessThan(ids.indexOf(older.id))
    expect(answer.body.rooms.find((r: { id: string }) => r.id === newer.id)).toEqual({ ...newer, online: 2 })
    expect(answer.body.rooms.find((r: { id: string }) => r.id === older.id)).toEqual({ ...older, online: 0 })

    // Opening the older room again makes it the most recently used.
    expect((await call(api.url, 'POST', '/rooms/join', { token, body: { roomId: older.id } })).status).toBe(200)
    const again = (await call(api.url, 'GET', '/rooms', { token })).body.rooms.map((r: { id: string }) => r.id)
    expect(again.indexOf(older.id)).toBeLessThan(again.indexOf(newer.id))
  })

  test('a stranger sees none of them; joining by the id adds the room to their list', async () => {
    const room = await createRoom('Private until shared')
    const stranger = await register(api.url, 'Stranger')
    expect((await call(api.url, 'GET', '/rooms', { token: stranger.token })).body).toEqual({ rooms: [] })
    expect((await call(api.url, 'POST', '/rooms/join', { token: stranger.token, body: { roomId: room.id } })).status).toBe(200)
    expect((await call(api.url, 'GET', '/rooms', { token: stranger.token })).body).toEqual({ rooms: [{ ...room, online: 0 }] })
    const doc = await api.clients.db
      .collection<MembershipDoc>(Collections.memberships)
      .findOne({ _id: membershipId(stranger.user.id, room.id) })
    expect(doc).toMatchObject({ userId: stranger.user.id, roomId: room.id })
  })

  test('caps the list at 50', async () => {
    const base = Date.now() + 60_000
    const docs: RoomDoc[] = Array.from({ length: 55 }, (_, i) => ({
      _id: `cap${i}${randomBytes(3).toString('hex')}`,
      name: `Cap ${i}`,
      ownerId: userId,
      createdAt: new Date(base + i),
    }))
    await api.clients.db.collection<RoomDoc>(Collections.rooms).insertMany(docs)
    const memberships: MembershipDoc[] = docs.map((doc) => ({
      _id: membershipId(userId, doc._id),
      userId,
      roomId: doc._id,
      joinedAt: doc.createdAt,
      lastUsedAt: doc.createdAt,
    }))
    await api.clients.db.collection<MembershipDoc>(Collections.memberships).insertMany(memberships)
    const answer = await call(api.url, 'GET', '/rooms', { token })
    expect(answer.body.rooms).toHaveLength(50)
    expect(answer.body.rooms[0].id).toBe(docs[54]?._id)
  })

  test('requires a token', async () => {
    expect((await call(api.url, 'GET', '/rooms')).status).toBe(401)
  })
})

describe('GET /rooms/:roomId/messages', () => {
  let roomId: string
  beforeAll(async () => {
    roomId = (await createRoom('Chatty')).id
    const docs: MessageDoc[] = Array.from({ length: 120 }, (_, i) => ({
      _id: `m-${roomId}-${i + 1}`,
      roomId,
      seq: i + 1,
      userId,
      userName: 'Roomy',
      text: `message ${i + 1}`,
      ts: 1_700_000_000_000 + i,
    }))
    // shuffled, so the order of the answer comes from the query, not from insertion
    docs.sort(() => Math.random() - 0.5)
    // Stored as the gateways store chat: MongoDB, then the room's recent history in Redis (the
    // room was created warm and empty: a message written to MongoDB alone would not be in it).
    await messagesStore(api.clients.db).insertBatch(docs)
    await new RecentHistory(api.clients.redis, messagesStore(api.clients.db)).addStored(docs.map(messageFromDoc))
  })

  const seqs = (body: { messages: { seq: number }[] }) => body.messages.map((m) => m.seq)
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

  test('by default the latest 50, ascending seq, as ChatMessages', async () => {
    const answer = await call(api.url, 'GET', `/rooms/${roomId}/messages`, { token })
    expect(answer.status).toBe(200)
    expect(seqs(answer.body)).toEqual(range(71, 120))
    expect(answer.body.messages[0]).toEqual({
      id: `m-${roomId}-71`,
      roomId,
      seq: 71,
      user: { id: userId, name: 'Roomy' },
      text: 'message 71',
      ts: 1_700_000_000_070,
    })
  })

  test('before and limit page backwards', async () => {
    expect(seqs((await call(api.url, 'GET', `/rooms/${roomId}/messages?before=30&limit=10`, { token })).body)).toEqual(
      range(20, 29),
    )
    expect(seqs((await call(api.url, 'GET', `/rooms/${roomId}/messages?before=5`, { token })).body)).toEqual(range(1, 4))
    expect(seqs((await call(api.url, 'GET', `/rooms/${roomId}/messages?limit=100`, { token })).body)).toEqual(range(21, 120))
    expect(seqs((await call(api.url, 'GET', `/rooms/${roomId}/messages?before=1`, { token })).body)).toEqual([])
  })

  test.each(['limit=101', 'limit=0', 'limit=abc', 'before=0', 'before=-3', 'limit=2.5', 'other=1'])(
    'refuses ?%s with 400',
    async (query) => {
      const answer = await call(api.url, 'GET', `/rooms/${roomId}/messages?${query}`, { token })
      expect(answer.status).toBe(400)
      expect(answer.body.error.code).toBe('VALIDATION_FAILED')
      expect(answer.body.error.message).toMatch(/^querystring/)
    },
  )

  test('a caller who is not a member: 403 FORBIDDEN, until they join by the id', async () => {
    const stranger = await register(api.url, 'Snoop')
    const refused = await call(api.url, 'GET', `/rooms/${roomId}/messages`, { token: stranger.token })
    expect(refused.status).toBe(403)
    expect(refused.body).toEqual({ error: { code: 'FORBIDDEN', message: expect.any(String) } })
    await call(api.url, 'POST', '/rooms/join', { token: stranger.token, body: { roomId } })
    expect(seqs((await call(api.url, 'GET', `/rooms/${roomId}/messages`, { token: stranger.token })).body)).toEqual(
      range(71, 120),
    )
  })

  test('an unknown room is 404 ROOM_NOT_FOUND; a malformed id is 400; no token is 401', async () => {
    const unknown = await call(api.url, 'GET', '/rooms/nosuchroom/messages', { token })
    expect(unknown.status).toBe(404)
    expect(unknown.body.error.code).toBe('ROOM_NOT_FOUND')
    const malformed = await call(api.url, 'GET', `/rooms/${'x'.repeat(65)}/messages`, { token })
    expect(malformed.status).toBe(400)
    expect(malformed.body.error.message).toMatch(/^params.roomId/)
    expect((await call(api.url, 'GET', `/rooms/${roomId}/messages`)).status).toBe(401)
  })
})
