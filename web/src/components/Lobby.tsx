import { CreateRoomBody } from '@hangout/protocol'
import { useState } from 'preact/hooks'
import { ApiError } from '../api.js'
import { apiFieldErrors, type FieldErrors, formChecker } from '../formErrors.js'
import { roomIdFromInput, roomPath } from '../routes.js'
import { useServices } from '../services.js'
import { useTitle } from '../useTitle.js'
import { Field } from './Field.js'
import { RecentRooms } from './RecentRooms.js'

const checkCreate = formChecker({ name: { schema: CreateRoomBody.properties.name, label: 'Room name' } })

function CreateRoomForm() {
  const { api, router } = useServices()
  const [name, setName] = useState('')
  const [errors, setErrors] = useState<FieldErrors<'name'>>({})
  const [busy, setBusy] = useState(false)

  async function submit(event: Event) {
    event.preventDefault()
    const found = checkCreate({ name })
    setErrors(found)
    if (found.name) return
    setBusy(true)
    try {
      const room = await api.createRoom({ name: name.trim() })
      router.navigate(roomPath(room.id))
    } catch (error) {
      setErrors(apiFieldErrors(error, ['name']))
      setBusy(false)
    }
  }

  return (
    <form class="panel" onSubmit={submit} noValidate aria-labelledby="create-title">
      <h2 id="create-title">Start a room</h2>
      <Field id="room-name" label="Room name" value={name} onInput={setName} error={errors.name ?? errors.form} />
      <button type="submit" class="button button--primary" disabled={busy}>
        Create room
      </button>
    </form>
  )
}

function OpenRoomForm() {
  const { api, router } = useServices()
  const [input, setInput] = useState('')
  const [error, setError] = useState<string | undefined>()
  const [busy, setBusy] = useState(false)

  async function submit(event: Event) {
    event.preventDefault()
    const roomId = roomIdFromInput(input)
    if (!roomId) {
      setError('Paste an invite link or a room id.')
      return
    }
    setBusy(true)
    try {
      await api.joinRoom({ roomId })
      router.navigate(roomPath(roomId))
    } catch (failure) {
      setError(
        failure instanceof ApiError && failure.code === 'ROOM_NOT_FOUND'
          ? 'There is no room with that id.'
          : String((failure as Error).message),
      )
      setBusy(false)
    }
  }

  return (
    <form class="panel" onSubmit={submit} noValidate aria-labelledby="open-title">
      <h2 id="open-title">Join a room</h2>
      <Field
        id="room-link"
        label="Invite link or room id"
        value={input}
        onInput={(value) => {
          setInput(value)
          setError(undefined)
        }}
        error={error}
      />
      <button type="submit" class="button" disabled={busy}>
        Open room
      </button>
    </form>
  )
}

export function Lobby() {
  const { session } = useServices()
  useTitle('Lobby')
  return (
    <div class="lobby">
      <h1 class="lobby__title">Hi {session.current.value?.user.name}, where shall we hang out?</h1>
      <div class="lobby__forms">
        <CreateRoomForm />
        <OpenRoomForm />
      </div>
      <RecentRooms />
    </div>
  )
}
