/** A load worker process: drives its share of the seats on the driver's signals (see driver.ts). */
import { RoomUsers } from './room-users.js'
import type { FromWorker, ToWorker } from './worker-messages.js'

const send = (message: FromWorker) => process.send?.(message)
let users: RoomUsers | undefined

process.on('message', (message: ToWorker) => {
  void handle(message).catch((err: Error) => send({ type: 'failed', message: err.stack ?? err.message }))
})
process.on('disconnect', () => process.exit(0))
send({ type: 'started' })

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'job':
      users = new RoomUsers(message.seats, message.plan)
      await users.connectAll()
      send({ type: 'ready' })
      return
    case 'go':
      users?.start()
      return
    case 'stop':
      // Two seconds for the last broadcasts: on a loaded core fan-out p99 reaches 1.5 s, and a
      // delivery counted after the stop would read as lost.
      await users?.stopEmitting(2000)
      if (users) send({ type: 'done', result: users.result() })
      return
    case 'exit':
      users?.close()
      process.disconnect()
      return
  }
}
