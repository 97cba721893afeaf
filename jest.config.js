/** One jest run over every package's tests, against the real servers (see infra/test/global-setup.mjs). */
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', tsx: true },
      transform: { react: { runtime: 'automatic', importSource: 'preact' } },
    },
    module: { type: 'es6' },
  },
]

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts', '.tsx'],
  transform: { '^.+\\.tsx?$': swc },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/*/test/**/*.test.ts', '<rootDir>/*/test/**/*.test.tsx', '<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/infra/test/global-setup.mjs',
  globalTeardown: '<rootDir>/infra/test/global-teardown.mjs',
  // Every fast-check property runs from a recorded seed that `./hangout test --replay` takes back.
  setupFilesAfterEnv: ['<rootDir>/infra/test/fuzz-seeds.ts'],
  testTimeout: 60000,
  // Every suite starts real clusters (nginx, API, gateways, Redis, FerretDB, Chromium): on a 2-core
  // CI machine one suite at a time keeps their timing honest; locally two run side by side.
  maxWorkers: process.env.CI ? 1 : 2,
}
