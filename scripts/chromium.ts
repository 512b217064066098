import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

/**
 * Flags for a headless Chromium on a machine with a closed network: no sandbox (CI runs as
 * root), no GPU, and none of Chromium's background calls home.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

const NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome']

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** The system Chromium: `CHROMIUM_PATH` when set, else the first Chromium or Chrome on PATH, else null. */
export function findChromium(): string | null {
  const fromEnv = process.env.CHROMIUM_PATH
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} is not an executable file`)
    return fromEnv
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of NAMES) {
      const file = join(dir, name)
      if (dir && isExecutable(file)) return file
    }
  }
  return null
}

/**
 * The system Chromium, or an error saying how to get one. Browser tests never download a
 * browser of their own; install the distribution's package (Debian: `apt-get install chromium`).
 */
export function chromiumExecutable(): string {
  const found = findChromium()
  if (!found)
    throw new Error('No Chromium found on PATH: install it (Debian: apt-get install chromium) or set CHROMIUM_PATH')
  return found
}
