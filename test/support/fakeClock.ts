// The fake clock is public (rtk-supabase-realtime/testing); the tests import it from here as before.
export { FakeClock, flushMicrotasks } from '../../src/testing/fakeClock'
