import { inviteLink } from '../src/copyText.js'
import { invitation, parseRoute, roomIdFromInput, roomPath, safeNext } from '../src/routes.js'

describe('routes', () => {
  test('paths map to screens; a room path needs a URL-safe room id', () => {
    expect(parseRoute('/')).toEqual({ name: 'lobby' })
    expect(parseRoute('/login')).toEqual({ name: 'login', next: null })
    expect(parseRoute('/register/', '?next=%2Froom%2Fabc')).toEqual({ name: 'register', next: '/room/abc' })
    expect(parseRoute('/room/abc_D-9')).toEqual({ name: 'room', roomId: 'abc_D-9' })
    expect(parseRoute('/room/a%20b')).toEqual({ name: 'notFound' })
    expect(parseRoute('/room/')).toEqual({ name: 'notFound' })
    expect(parseRoute('/elsewhere')).toEqual({ name: 'notFound' })
  })

  test('only a path of this app is a place to return to after signing in', () => {
    expect(safeNext('/room/x')).toBe('/room/x')
    expect(safeNext('//evil.example/room')).toBeNull()
    expect(safeNext('https://evil.example/')).toBeNull()
    expect(parseRoute('/login', '?next=https://evil.example')).toEqual({ name: 'login', next: null })
  })

  test('a pasted invite link or bare id gives the room id', () => {
    expect(roomIdFromInput('  Xy_12-z ')).toBe('Xy_12-z')
    expect(roomIdFromInput('http://127.0.0.1:8080/room/Xy_12-z')).toBe('Xy_12-z')
    expect(roomIdFromInput(`https://hangout.example${roomPath('abc')}`)).toBe('abc')
    expect(roomIdFromInput('/room/abc')).toBe('abc')
    expect(roomIdFromInput('http://127.0.0.1:8080/')).toBeNull()
    expect(roomIdFromInput('not an id!')).toBeNull()
    expect(roomIdFromInput('')).toBeNull()
  })

  test('an invite link names its room in the fragment, and signing in from it says which room', () => {
    const link = inviteLink('https://hangout.example', roomPath('abc'), 'Flea market & co')
    expect(link).toBe('https://hangout.example/room/abc#Flea%20market%20%26%20co')
    expect(roomIdFromInput(link)).toBe('abc')
    const next = new URL(link).pathname + new URL(link).hash
    expect(invitation(next)).toEqual({ roomId: 'abc', name: 'Flea market & co' })
    expect(invitation('/room/abc')).toEqual({ roomId: 'abc', name: null })
    expect(invitation(null)).toBeNull()
    expect(invitation('/elsewhere#Flea')).toBeNull()
    // A name no room could have (too long, a bidi override, broken escapes) is not shown.
    expect(invitation(`/room/abc#${'x'.repeat(61)}`)).toEqual({ roomId: 'abc', name: null })
    expect(invitation(`/room/abc#${encodeURIComponent('evil\u202Eelif')}`)).toEqual({ roomId: 'abc', name: null })
    expect(invitation('/room/abc#%E0%A4%A')).toEqual({ roomId: 'abc', name: null })
    expect(invitation('/room/abc#%20%20')).toEqual({ roomId: 'abc', name: null })
  })
})
