// Preloaded into the gateways by `./hangout bench --cpu-prof` (NODE_OPTIONS="--import <this file>",
// since Node 20 refuses --cpu-prof in NODE_OPTIONS): samples the main thread like --cpu-prof, and
// writes CPU.<pid>.<n>.cpuprofile into HANGOUT_CPU_PROF_DIR on SIGWINCH (then samples on) and at exit
// (SIGWINCH: ignored by default, and not one of the signals close-with-grace drains on).
// Plain JavaScript: it loads before tsx. Does nothing in any process but a gateway.
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector'
import { join } from 'node:path'

const dir = process.env.HANGOUT_CPU_PROF_DIR
if (dir && /gateway\/src\/main\.ts$/.test(process.argv[1] ?? '')) {
  const session = new Session()
  session.connect()
  let written = 0
  const start = () => {
    session.post('Profiler.enable')
    session.post('Profiler.setSamplingInterval', { interval: 1000 })
    session.post('Profiler.start')
  }
  // Same-thread inspector sessions answer synchronously, so this also works inside 'exit'.
  const write = () =>
    session.post('Profiler.stop', (err, result) => {
      if (err) return console.error(`cpu profile: ${err.message}`)
      written++
      writeFileSync(join(dir, `CPU.${process.pid}.${written}.cpuprofile`), JSON.stringify(result.profile))
    })
  start()
  process.on('SIGWINCH', () => {
    write()
    start()
  })
  process.on('exit', write)
}
