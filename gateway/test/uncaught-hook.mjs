// Preloaded into a gateway process by crash-path.test.ts: SIGWINCH (no signal close-with-grace handles) makes it throw outside any
// handler, the way a bug would, to drive the process's uncaughtException path.
process.on('SIGWINCH', () => {
  setImmediate(() => {
    throw new Error('test: an uncaught exception')
  })
})
