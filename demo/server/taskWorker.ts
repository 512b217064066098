import pg from 'pg'

/** The demo's stand-in for a GPU worker: claims queued tasks, and after a while completes each with a new generation. */
export interface TaskWorker {
  stop(): Promise<void>
}

export interface TaskWorkerOptions {
  databaseUrl: string
  /** How long one task "renders". */
  workMs?: number
  /** How often the queue is checked. */
  pollMs?: number
  onError?: (error: unknown) => void
}

/** After a failed claim, the queue is checked again no sooner than this (one log line a second at most). */
const RETRY_AFTER_ERROR_MS = 1_000

/** SQLSTATE of "terminating connection due to administrator command". */
const ADMIN_SHUTDOWN = '57P01'

const CLAIM = `
  update tasks set status = 'running', updated_at = now()
  where id = (select id from tasks where status = 'queued' order by id limit 1 for update skip locked)
  returning id, project_id, prompt, client_request_id`

const COMPLETE = `
  with done as (
    update tasks set status = 'complete', updated_at = now() where id = $1 returning project_id, prompt, client_request_id
  )
  insert into generations (project_id, prompt, client_request_id) select project_id, prompt, client_request_id from done`

/** Starts the worker loop; `stop()` waits for the task in hand and closes the pool. */
export function startTaskWorker({
  databaseUrl,
  workMs = 1_200,
  pollMs = 250,
  onError = () => undefined,
}: TaskWorkerOptions): TaskWorker {
  const timers = new Set<NodeJS.Timeout>()
  const inFlight = new Set<Promise<unknown>>()
  let stopped = false
  // Errors after stop(), or Postgres shutting down (Ctrl-C reaches it too), are the shutdown itself.
  const report = (error: unknown) => {
    if (!stopped && (error as { code?: string } | null)?.code !== ADMIN_SHUTDOWN) onError(error)
  }
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 })
  // An idle connection that Postgres closes.
  pool.on('error', report)

  const later = (ms: number, run: () => Promise<void>) => {
    if (stopped) return
    const timer = setTimeout(() => {
      timers.delete(timer)
      const job = run().catch(report)
      inFlight.add(job)
      void job.finally(() => inFlight.delete(job))
    }, ms)
    timers.add(timer)
  }

  async function tick(): Promise<void> {
    if (stopped) return
    // Another queued task is claimed at once and an empty queue is checked again after pollMs.
    // A failed claim (Postgres restarting, a dropped connection) must not end the loop: the queue
    // is checked again a little later, and the error still reaches onError through later().
    let next = pollMs
    try {
      const { rows } = await pool.query<{ id: number }>(CLAIM)
      for (const task of rows) later(workMs, async () => void (await pool.query(COMPLETE, [task.id])))
      if (rows.length > 0) next = 0
    } catch (error) {
      next = Math.max(pollMs, RETRY_AFTER_ERROR_MS)
      throw error
    } finally {
      // later() does nothing once stopped.
      later(next, tick)
    }
  }

  later(0, tick)
  return {
    async stop() {
      stopped = true
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      await Promise.allSettled([...inFlight])
      await pool.end()
    },
  }
}
