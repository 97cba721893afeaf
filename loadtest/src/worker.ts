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
      await users?.stopEmitting()
      if (users) send({ type: 'done', result: users.result() })
      return
    case 'exit':
      users?.close()
      process.disconnect()
      return
  }
}
