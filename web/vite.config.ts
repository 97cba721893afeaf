import { defineConfig } from 'vite'

/** The local cluster's edge: the dev server hands it every API and socket request. */
const EDGE = process.env.HANGOUT_EDGE_URL ?? 'http://127.0.0.1:8080'

export default defineConfig({
  root: import.meta.dirname,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    rolldownOptions: {
      // The protocol builds every schema at load; marked pure, the ones the app never reads (and the
      // TypeBox machinery only they need) are left out. Calls to these only build values.
      treeshake: { manualPureFunctions: ['Type', 'TrimmedString', 'Ack', 'validator'] },
    },
  },
  server: {
    // The edge's services accept their own origin only: requests through this proxy present it.
    proxy: {
      '/api': { target: EDGE, headers: { origin: EDGE } },
      '/socket.io': { target: EDGE, ws: true, headers: { origin: EDGE } },
    },
  },
})
