import { builtinModules } from 'node:module'
import { storybookTest } from '@storybook/addon-vitest/vitest-plugin'
import { playwright } from '@vitest/browser-playwright'
import { defineConfig } from 'vitest/config'
import pkg from './package.json' with { type: 'json' }
import { CHROMIUM_ARGS, findChromium } from './scripts/chromium.ts'

const external = [
  ...Object.keys(pkg.dependencies),
  ...Object.keys(pkg.peerDependencies),
  ...builtinModules,
  ...builtinModules.map((name) => `node:${name}`),
]

// The compatibility run points tests at another @supabase/supabase-js and @reduxjs/toolkit (the newest 2.x) with these.
const supabaseJsDir = process.env.SUPABASE_JS_DIR
const rtkDir = process.env.RTK_DIR
const compatAliases = {
  ...(supabaseJsDir ? { '@supabase/supabase-js': supabaseJsDir } : {}),
  ...(rtkDir ? { '@reduxjs/toolkit': rtkDir } : {}),
}
const resolve = Object.keys(compatAliases).length > 0 ? { alias: compatAliases } : undefined

// Browser tests run in the system Chromium, never a downloaded one.
const chromium = findChromium()
if (!chromium)
  console.warn(
    '[vite.config] No Chromium found on PATH (Debian: apt-get install chromium, or set CHROMIUM_PATH): the browser projects cannot run',
  )
const browser = (name: string) => ({
  enabled: true,
  headless: true,
  screenshotFailures: false,
  provider: playwright({ launchOptions: { executablePath: chromium ?? 'chromium-not-found', args: CHROMIUM_ARGS } }),
  instances: [{ browser: 'chromium' as const, name }],
})
// Pre-bundled up front: a dependency discovered mid-run would reload the page under a test.
const browserDeps = [
  'react',
  'react-dom',
  'react-dom/client',
  'react/jsx-runtime',
  'react/jsx-dev-runtime',
  'react-redux',
  '@reduxjs/toolkit',
  '@reduxjs/toolkit/query',
  '@reduxjs/toolkit/query/react',
  'redux-saga',
  'redux-saga/effects',
]

export default defineConfig({
  build: {
    target: 'es2022',
    // Consumers minify; readable output makes stack traces and debugging honest.
    minify: false,
    sourcemap: true,
    lib: {
      entry: {
        index: 'src/index.ts',
        react: 'src/react/index.ts',
        testing: 'src/testing/index.ts',
      },
      formats: ['es'],
    },
    rolldownOptions: {
      external: (id) => external.some((name) => id === name || id.startsWith(`${name}/`)),
    },
  },
  test: {
    projects: [
      {
        resolve,
        test: {
          name: 'unit',
          environment: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/integration/**', 'test/e2e/**'],
          setupFiles: ['test/support/setupWebSocket.ts'],
          typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
        },
      },
      {
        resolve,
        // Real Postgres, the emulator and the real supabase-js client: one file at a time.
        test: {
          name: 'integration',
          // Real Postgres and wall-clock bounds: after the fast projects, never beside them.
          sequence: { groupOrder: 1 },
          environment: 'node',
          include: ['test/integration/**/*.test.ts'],
          setupFiles: ['test/support/setupWebSocket.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve,
        // The demo (npm start) end to end: emulator, embedded Postgres, the app in real Chromium.
        test: {
          name: 'e2e',
          sequence: { groupOrder: 2 },
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Hooks and the debug panel with a real store, rendered by React in real Chromium.
        resolve,
        optimizeDeps: { include: [...browserDeps, 'vitest-browser-react'] },
        test: {
          name: 'browser',
          include: ['test/react/**/*.test.tsx', 'test/devtools/**/*.test.tsx'],
          browser: browser('browser (chromium)'),
        },
      },
      {
        // Every story is a test (its play function included), in real Chromium.
        plugins: [storybookTest({ configDir: '.storybook' })],
        resolve,
        optimizeDeps: { include: browserDeps },
        test: {
          name: 'storybook',
          browser: browser('storybook (chromium)'),
        },
      },
    ],
  },
})
