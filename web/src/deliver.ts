import type { RoomConnection } from '@hangout/client'
import type { Outgoing } from './outbox.js'
import type { RoomStore } from './roomStore.js'

/**
 * Sends one message of the outbox (a first try or a retry, always with its own `clientId`, so
 * the server stores it once however many tries reach it) and files the answer.
 */
export async function deliver(store: RoomStore, connection: RoomConnection, item: Outgoing): Promise<void> {
  store.outbox.sending(item.clientId)
  const ack = await connection.send(item.text, item.clientId)
  if (ack.ok) {
    store.addMessages([ack.message])
    store.outbox.done(item.clientId)
  } else {
    store.outbox.failed(item.clientId, ack.error.message)
  }
}
