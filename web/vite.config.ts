import { minify } from 'terser'
import { defineConfig, type Plugin } from 'vite'

/** The local cluster's edge: the dev server hands it every API and socket request. */
const EDGE = process.env.HANGOUT_EDGE_URL ?? 'http://127.0.0.1:8080'

/**
 * Terser's second compression pass over each chunk, on top of the default minifier: about 2 KB of
 * gzip less, which the 52 KB budget (web/test/bundle.test.ts) needs. The source map is carried through.
 */
function terserPass(): Plugin {
  return {
    name: 'hangout:terser-pass',
    apply: 'build',
    // After the default minifier: terser compresses its output further, composing the source map.
    async generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk') continue
        const map = chunk.map ? { content: JSON.stringify(chunk.map) } : false
        const out = await minify(chunk.code, {
          ecma: 2020,
          module: true,
          compress: { passes: 2 },
          sourceMap: map && { ...map, url: `${chunk.fileName.split('/').pop()}.map` },
        })
        if (out.code === undefined) continue
        chunk.code = out.code
        const mapAsset = bundle[`${chunk.fileName}.map`]
        if (typeof out.map === 'string' && mapAsset?.type === 'asset') mapAsset.source = out.map
      }
    },
  }
}

export default defineConfig({
  root: import.meta.dirname,
  plugins: [terserPass()],
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
