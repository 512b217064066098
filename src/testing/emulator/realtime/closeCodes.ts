/** Close codes the emulator uses. */
export const CLOSE = {
  /** The emulator failed on a frame (a bug): this socket closes, the server stays up. */
  internal: 1011,
  /** `faults.restartServer()` and `stop()`. */
  restart: 1012,
} as const
