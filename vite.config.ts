import { builtinModules } from 'node:module'
import { defineConfig } from 'vitest/config'
import pkg from './package.json' with { type: 'json' }

const external = [
  ...Object.keys(pkg.dependencies),
  ...Object.keys(pkg.peerDependencies),
  ...builtinModules,
  ...builtinModules.map((name) => `node:${name}`),
]

// The compatibility run points tests at another @supabase/supabase-js (the newest 2.x) with this.
const supabaseJsDir = process.env.SUPABASE_JS_DIR
const resolve = supabaseJsDir ? { alias: { '@supabase/supabase-js': supabaseJsDir } } : undefined

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
          exclude: ['test/integration/**'],
          setupFiles: ['test/support/setupWebSocket.ts'],
          typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
        },
      },
      {
        resolve,
        // Real Postgres, the emulator and the real supabase-js client: one file at a time.
        test: {
          name: 'integration',
          environment: 'node',
          include: ['test/integration/**/*.test.ts'],
          setupFiles: ['test/support/setupWebSocket.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
})
