/** Deployment flags read once from the build or process environment. */
export interface RealtimeFlags {
  /** `REALTIME_ENABLED`: false starts the library with the kill switch on. */
  realtimeEnabled?: boolean
  /** `DEADMODE_FORCE_POLLING_MS`: a fixed dead-mode poll cadence. */
  forcePollingMs?: number
}

type EnvRecord = Record<string, string | boolean | undefined>

function viteEnv(): EnvRecord | undefined {
  try {
    // Read through a variable so that bundlers cannot inline the library's own build-time env.
    const meta = import.meta as unknown as { env?: EnvRecord }
    return meta.env
  } catch {
    return undefined
  }
}

function processEnv(): EnvRecord | undefined {
  const proc = (globalThis as { process?: { env?: EnvRecord } }).process
  return proc?.env
}

function lookup(name: string, sources: Array<EnvRecord | undefined>): string | boolean | undefined {
  for (const source of sources) {
    for (const key of [`VITE_${name}`, name]) {
      const value = source?.[key]
      if (value !== undefined && value !== '') return value
    }
  }
  return undefined
}

/**
 * Parses the flags. An unparsable value throws with the variable's name, so a typo in
 * deployment configuration fails loudly instead of silently turning realtime off.
 */
export function parseFlags(sources: Array<EnvRecord | undefined>): RealtimeFlags {
  const flags: RealtimeFlags = {}
  const enabled = lookup('REALTIME_ENABLED', sources)
  if (enabled !== undefined) {
    const text = String(enabled).trim().toLowerCase()
    if (['true', '1', 'yes', 'on'].includes(text)) flags.realtimeEnabled = true
    else if (['false', '0', 'no', 'off'].includes(text)) flags.realtimeEnabled = false
    else throw new TypeError(`REALTIME_ENABLED must be true or false, got ${JSON.stringify(enabled)}`)
  }
  const force = lookup('DEADMODE_FORCE_POLLING_MS', sources)
  if (force !== undefined) {
    const ms = Number(force)
    if (!Number.isFinite(ms) || ms <= 0) {
      throw new TypeError(
        `DEADMODE_FORCE_POLLING_MS must be a positive number of milliseconds, got ${JSON.stringify(force)}`,
      )
    }
    flags.forcePollingMs = ms
  }
  return flags
}

let cached: RealtimeFlags | undefined

/** The flags of this process, read once (Vite `import.meta.env`, then `process.env`). */
export function readEnvironmentFlags(): RealtimeFlags {
  cached ??= parseFlags([viteEnv(), processEnv()])
  return cached
}
