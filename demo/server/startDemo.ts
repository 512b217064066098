import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { createServer, type ViteDevServer } from 'vite'
import { startRealtimeEmulator, type RealtimeEmulator } from '../../src/testing/index.ts'
import { demoMiddleware } from './chaos.ts'
import { PUBLISHED_TABLES, demoSetupSql } from './demoDatabase.ts'
import { startTaskWorker, type TaskWorker } from './taskWorker.ts'

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

export interface DemoOptions {
  /** Port of the web app; default 5173 (the next free one if taken); 0 for any. */
  port?: number
  /** How long the worker takes per task. */
  workMs?: number
  /**
   * Aborting it while the demo starts stops whatever has started (a part whose own start cannot
   * be interrupted, the embedded Postgres, is waited for and then stopped) and rejects with the
   * signal's reason. After `startDemo` resolved it has no effect: call `stop()`.
   */
  signal?: AbortSignal
}

export interface RunningDemo {
  /** The app's address. */
  url: string
  emulator: RealtimeEmulator
  stop(): Promise<void>
}

/** What the browser app is told at build time: where Supabase is. */
export interface DemoConfig {
  supabaseUrl: string
  anonKey: string
}

function appServer(emulator: RealtimeEmulator, port: number): Promise<ViteDevServer> {
  const config: DemoConfig = { supabaseUrl: emulator.url, anonKey: emulator.anonKey }
  return createServer({
    configFile: false,
    root: here('../app'),
    logLevel: 'warn',
    clearScreen: false,
    plugins: [
      react(),
      { name: 'demo-endpoints', configureServer: (server) => void server.middlewares.use(demoMiddleware(emulator)) },
    ],
    // The app imports the library by its package names, as a user's app would; here they are the sources.
    resolve: {
      alias: [
        { find: /^rtk-supabase-realtime\/react$/, replacement: here('../../src/react/index.ts') },
        { find: /^rtk-supabase-realtime$/, replacement: here('../../src/index.ts') },
        // The compatibility run (scripts/compat.sh) serves the app another @supabase/supabase-js.
        ...(process.env.SUPABASE_JS_DIR
          ? [{ find: /^@supabase\/supabase-js$/, replacement: process.env.SUPABASE_JS_DIR }]
          : []),
        // …and another @reduxjs/toolkit (its subpaths, /query and /query/react, resolve inside it).
        ...(process.env.RTK_DIR ? [{ find: /^@reduxjs\/toolkit(?=$|\/)/, replacement: process.env.RTK_DIR }] : []),
      ],
    },
    define: { __DEMO_CONFIG__: JSON.stringify(config) },
    server: { host: '127.0.0.1', port, strictPort: port === 0, hmr: false },
    optimizeDeps: {
      include: [
        'react',
        'react-dom/client',
        'react/jsx-runtime',
        'react/jsx-dev-runtime',
        'react-redux',
        '@reduxjs/toolkit',
        '@reduxjs/toolkit/query/react',
        'redux-saga',
        'redux-saga/effects',
        '@supabase/supabase-js',
      ],
    },
  })
}

/** Throws one `AggregateError` naming every part whose stop was rejected, if any was. */
function reportFailures(parts: string[], settled: PromiseSettledResult<unknown>[]): void {
  const failures = settled.flatMap((result, index) => {
    if (result.status === 'fulfilled') return []
    const reason: unknown = result.reason
    return [
      new Error(`${parts[index]}: ${reason instanceof Error ? reason.message : String(reason)}`, { cause: reason }),
    ]
  })
  if (failures.length > 0)
    throw new AggregateError(
      failures,
      `the demo did not stop cleanly: ${failures.map((failure) => failure.message).join('; ')}`,
    )
}

/**
 * Starts the whole demo: the realtime emulator on an embedded Postgres with the demo schema
 * (generations sent by Broadcast from Database, the other tables published for postgres_changes),
 * the task worker, and the React app. `stop()` leaves nothing running or on disk: it tries every
 * part even if one fails, and rejects with an `AggregateError` naming each failure.
 */
export async function startDemo({ port = 5173, workMs, signal }: DemoOptions = {}): Promise<RunningDemo> {
  signal?.throwIfAborted()
  const setupSql = await demoSetupSql()
  signal?.throwIfAborted()
  // Not abortable: once it runs it is waited for, and stopped below if the signal fired meanwhile.
  const emulator = await startRealtimeEmulator({ setupSql, tables: PUBLISHED_TABLES })
  let worker: TaskWorker | null = null
  let server: ViteDevServer | null = null
  let stopping: Promise<void> | null = null
  const stop = () => {
    stopping ??= (async () => {
      // Every part is stopped even if another fails: the app and the worker side by side, then
      // the emulator (and its Postgres) they use.
      const settled = await Promise.allSettled([server?.close(), worker?.stop()])
      settled.push(...(await Promise.allSettled([emulator.stop()])))
      reportFailures(['web app', 'task worker', 'emulator'], settled)
    })()
    return stopping
  }
  try {
    signal?.throwIfAborted()
    worker = startTaskWorker({
      databaseUrl: emulator.databaseUrl,
      workMs,
      onError: (error) => console.error(`[demo] worker: ${error instanceof Error ? error.message : String(error)}`),
    })
    server = await appServer(emulator, port)
    signal?.throwIfAborted()
    await server.listen()
    signal?.throwIfAborted()
    const address = server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${port}/`
    return { url: address, emulator, stop }
  } catch (error) {
    // The start's own error is the one to report; a failed stop is logged beside it.
    await stop().catch((stopError: unknown) => console.error(stopError))
    throw error
  }
}
