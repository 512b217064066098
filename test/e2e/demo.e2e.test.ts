import pg from 'pg'
import { chromium, type Browser, type BrowserContext } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startDemo, type RunningDemo } from '../../demo/server/startDemo'
import { CHROMIUM_ARGS, chromiumExecutable } from '../../scripts/chromium'
import { DEMO_VIEWPORT, PHONE_VIEWPORT, openDemo, type DemoTab } from './demoPage'

// The parity matrix of the seed plan, on the real demo: emulator + embedded Postgres + the app in Chromium.
let demo: RunningDemo
let browser: Browser
/** Where tabs open unless a test asks for a context of its own: one origin, shared by its tabs. */
let shared: BrowserContext
let db: pg.Pool
let projectId: number
const opened: DemoTab[] = []
const isolated: BrowserContext[] = []

/** A tab of the demo, joined to the project's channel; in the shared context unless given another. */
async function open(context: BrowserContext = shared): Promise<DemoTab> {
  const tab = await openDemo(context, demo.url, `project:${projectId}`)
  opened.push(tab)
  return tab
}

/**
 * A browser context of its own: its tabs share no BroadcastChannel or Web Locks with the others,
 * so no cross-tab relay reaches them; only realtime (or their own polling) can.
 */
async function isolatedContext(): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: DEMO_VIEWPORT })
  isolated.push(context)
  return context
}

/** A write by someone else (another user, a worker): straight into Postgres. */
async function insertGeneration(prompt: string): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    'insert into generations (project_id, prompt) values ($1, $2) returning id',
    [projectId, prompt],
  )
  return rows[0]!.id
}

async function post(path: string): Promise<void> {
  const response = await fetch(new URL(path, demo.url), { method: 'POST' })
  expect(response.ok).toBe(true)
}

// Each test starts from fresh tabs (the two-tab test opens its own pair).
afterEach(async () => {
  for (const tab of opened.splice(0)) await tab.page.close().catch(() => undefined)
  for (const context of isolated.splice(0)) await context.close().catch(() => undefined)
  await post('/__demo/chaos/reset')
})

beforeAll(async () => {
  demo = await startDemo({ port: 0, workMs: 300 })
  db = new pg.Pool({ connectionString: demo.emulator.databaseUrl, max: 2 })
  projectId = (await db.query<{ id: number }>('select id from projects order by id limit 1')).rows[0]!.id
  browser = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS })
  shared = await browser.newContext({ viewport: DEMO_VIEWPORT })
}, 120_000)

afterAll(async () => {
  for (const tab of opened) await tab.page.close().catch(() => undefined)
  await browser?.close()
  await db?.end()
  await demo?.stop()
}, 60_000)

describe('the demo (parity matrix)', () => {
  it('shows a generated item as a pending tile at once, then as the real item', async () => {
    const tab = await open()
    await tab.page.getByLabel('Prompt').fill('e2e: a kite over dunes')
    await tab.page.getByRole('button', { name: 'Generate' }).click()
    const tile = tab.tile('e2e: a kite over dunes')
    await expect.poll(() => tile.getAttribute('aria-busy'), { timeout: 1_000 }).toBe('true')
    // `npm run screenshot` keeps the README's picture of the demo current (a pending tile included).
    if (process.env.DEMO_SCREENSHOT) await tab.page.screenshot({ path: process.env.DEMO_SCREENSHOT })
    // The worker completes the task (300 ms); the generation row arrives by realtime.
    await expect.poll(() => tile.getAttribute('aria-busy'), { timeout: 3_000 }).toBe('false')
    await expect.poll(() => tile.count()).toBe(1)
  })

  it('fits a 390 px wide phone screen, the debug panel expanded', async () => {
    const context = await browser.newContext({ viewport: PHONE_VIEWPORT })
    isolated.push(context)
    const tab = await open(context)
    await tab.page
      .getByTestId('realtime-debug-panel')
      .getByRole('button', { name: /Details/ })
      .click()
    const width = await tab.page.evaluate(() => document.documentElement.scrollWidth)
    // `npm run screenshot` also keeps a picture of the demo on a phone.
    const picture = await tab.page.screenshot(
      process.env.DEMO_SCREENSHOT_NARROW ? { path: process.env.DEMO_SCREENSHOT_NARROW } : {},
    )
    expect(picture.length).toBeGreaterThan(0)
    expect(width).toBeLessThanOrEqual(PHONE_VIEWPORT.width)
  })

  it('shows a new item within 2 s with realtime up', async () => {
    const tab = await open()
    await insertGeneration('e2e: realtime up')
    await tab.tile('e2e: realtime up').waitFor({ timeout: 2_000 })
  })

  it('shows a new item within 2 s by Broadcast from Database alone, generations being out of the publication', async () => {
    const tab = await open()
    const published = await db.query(
      `select 1 from pg_publication_tables where pubname like 'rtk_emulator_%' and tablename = 'generations'`,
    )
    expect(published.rowCount).toBe(0)
    const id = await insertGeneration('e2e: by broadcast')
    await tab.tile('e2e: by broadcast').waitFor({ timeout: 2_000 })
    // The trigger broadcastChangesSql() wrote sent the row to the project's private topic.
    const { rows } = await db.query<{ topic: string; event: string; private: boolean }>(
      `select topic, event, private from realtime.messages where payload->'record'->>'id' = $1`,
      [String(id)],
    )
    expect(rows).toEqual([{ topic: `project:${projectId}`, event: 'INSERT', private: true }])
  })

  it('shows a new item within 7 s with realtime down (kill switch: dead-mode polling)', async () => {
    const tab = await open()
    const badge = tab.page.getByTestId('gallery-freshness')
    await expect.poll(() => badge.textContent()).toBe('Live')
    await tab.page.getByRole('navigation', { name: 'Chaos' }).getByRole('button', { name: 'Kill switch' }).click()
    await expect.poll(() => tab.realtimeState()).toMatch(/disabled · polling every/)
    // The gallery's freshness badge (useFreshness) says the list is now kept fresh by polling.
    await expect.poll(() => badge.textContent()).toMatch(/^Offline, refreshed \d+ s ago$/)
    await insertGeneration('e2e: realtime down')
    await tab.tile('e2e: realtime down').waitFor({ timeout: 7_000 })
  })

  it('reflects delete, star and move-to-shot made in another tab, without a reload', async () => {
    // The watcher has a browser context of its own: the actor's mutations cannot reach it by the
    // cross-tab relay (a BroadcastChannel is per context), only by realtime.
    const watcher = await open(await isolatedContext())
    const actor = await open()
    await insertGeneration('e2e: to be edited')
    await actor.tile('e2e: to be edited').waitFor({ timeout: 2_000 })

    await actor.tile('e2e: to be edited').getByRole('button', { name: /Star/ }).click()
    await expect
      .poll(
        () => watcher.tile('e2e: to be edited').getByRole('button', { name: /Star/ }).getAttribute('aria-pressed'),
        { timeout: 2_000 },
      )
      .toBe('true')

    await actor.tile('e2e: to be edited').getByRole('combobox').selectOption({ label: 'Chase' })
    await expect.poll(() => watcher.shot('Chase').getByTitle('e2e: to be edited').count(), { timeout: 2_000 }).toBe(1)
    // The moved tile says where it went.
    await expect
      .poll(() => actor.tile('e2e: to be edited').getByRole('status').textContent(), { timeout: 2_000 })
      .toContain('Moved to Chase')

    await actor
      .tile('e2e: to be edited')
      .getByRole('button', { name: /Delete/ })
      .click()
    await expect.poll(() => watcher.tile('e2e: to be edited').count(), { timeout: 2_000 }).toBe(0)
    await expect.poll(() => watcher.shot('Chase').getByTitle('e2e: to be edited').count(), { timeout: 2_000 }).toBe(0)
  })

  it('is current as soon as a hidden page is shown again', async () => {
    const tab = await open()
    // Realtime off and the page hidden: only the hidden cadence (15–30 s) would refresh it.
    await tab.page.getByRole('navigation', { name: 'Chaos' }).getByRole('button', { name: 'Kill switch' }).click()
    await tab.setHidden(true)
    await tab.page.waitForTimeout(1_000)
    await insertGeneration('e2e: while hidden')
    await tab.page.waitForTimeout(1_000)
    expect(await tab.tile('e2e: while hidden').count()).toBe(0)
    await tab.setHidden(false)
    await tab.tile('e2e: while hidden').waitFor({ timeout: 2_000 })
  })

  it('recovers after the sockets drop, and catches up on what changed in the gap', async () => {
    const tab = await open()
    await post('/__demo/chaos/drop')
    await insertGeneration('e2e: during the gap')
    await tab.tile('e2e: during the gap').waitFor({ timeout: 10_000 })
    await expect.poll(() => tab.realtimeState(), { timeout: 15_000 }).toBe('realtime: connected')
  })

  it('stays fresh by polling while the server is blackholed, and reconnects when it answers again', async () => {
    const tab = await open()
    const chaos = tab.page.getByRole('navigation', { name: 'Chaos' })
    await chaos.getByRole('button', { name: 'Blackhole on', exact: true }).click()
    // The strip shows which blackhole button is in force.
    await expect
      .poll(() => chaos.getByRole('button', { name: 'Blackhole on', exact: true }).getAttribute('aria-pressed'))
      .toBe('true')
    // The library notices a silent server within 10 s (heartbeat probe) and polls meanwhile.
    await expect.poll(() => tab.realtimeState(), { timeout: 15_000 }).toMatch(/polling every/)
    await insertGeneration('e2e: while blackholed')
    await tab.tile('e2e: while blackholed').waitFor({ timeout: 7_000 })
    await chaos.getByRole('button', { name: 'Blackhole off', exact: true }).click()
    await expect.poll(() => tab.realtimeState(), { timeout: 20_000 }).toBe('realtime: connected')
    await insertGeneration('e2e: after the blackhole')
    await tab.tile('e2e: after the blackhole').waitFor({ timeout: 2_000 })
  })

  it('rejoins with a fresh token after every token expires', async () => {
    const tab = await open()
    const topic = `project:${projectId}`
    const joined = await tab.joins(topic)
    await post('/__demo/chaos/expire-tokens')
    // The server closes the channel; the library refreshes the token (the app's accessToken) and joins again.
    await expect.poll(() => tab.joins(topic), { timeout: 15_000 }).toBeGreaterThan(joined)
    await expect.poll(() => tab.realtimeState(), { timeout: 15_000 }).toBe('realtime: connected')
    await insertGeneration('e2e: after the tokens expired')
    await tab.tile('e2e: after the tokens expired').waitFor({ timeout: 4_000 })
  })

  it('says so inline when a fault cannot be injected, until one succeeds', async () => {
    const tab = await open()
    const chaos = tab.page.getByRole('navigation', { name: 'Chaos' })
    await tab.page.route('**/__demo/chaos/drop', (route) => route.fulfill({ status: 503 }))
    await chaos.getByRole('button', { name: 'Drop sockets' }).click()
    await expect.poll(() => chaos.getByRole('alert').textContent()).toBe('Could not inject "drop": HTTP 503')
    await tab.page.unroute('**/__demo/chaos/drop')
    // Harmless here (nothing is blackholed), and it succeeds: the message goes.
    await chaos.getByRole('button', { name: 'Blackhole off', exact: true }).click()
    await expect.poll(() => chaos.getByRole('alert').count()).toBe(0)
  })

  it('keeps two tabs fresh without a refetch storm', async () => {
    // Both tabs in the shared context: one origin, as two tabs of one browser window are.
    const first = await open()
    const second = await open()
    // The gallery's own reads only (filtered by project); a shot view reads generations too (`id=in.(…)`).
    const galleryReads = (tab: DemoTab) => tab.reads('generations', 'project_id=eq.')
    const before = [galleryReads(first), galleryReads(second)]
    const burst = 20
    const startedAt = Date.now()
    for (let n = 0; n < burst; n++) {
      await insertGeneration(`e2e: burst ${n}`)
      await first.page.waitForTimeout(50)
    }
    for (const tab of [first, second]) await tab.tile(`e2e: burst ${burst - 1}`).waitFor({ timeout: 2_000 })
    await first.page.waitForTimeout(1_000)
    const elapsedMs = Date.now() - startedAt
    const refetches = [galleryReads(first) - before[0]!, galleryReads(second) - before[1]!]
    // The bound is the throttle's arithmetic, not a guess at how fast 20 inserts go. Per tag, the
    // throttle refetches at the first event (leading) and, at the end of each 500 ms window that
    // saw more events, once more (trailing), which opens the next window: at most one refetch per
    // 500 ms elapsed, plus the leading one, plus one for an event that arrives while its refetch
    // is in flight (never dropped: it costs one more refetch once that one settles). Measured from
    // before the first insert to after the settle, that is ceil(elapsedMs / 500) + 2. However slow
    // the inserts, coalescing must also leave fewer refetches than events.
    const allowed = Math.ceil(elapsedMs / 500) + 2
    for (const count of refetches) {
      expect(count, `${count} gallery reads in ${elapsedMs} ms`).toBeLessThanOrEqual(allowed)
      expect(count).toBeLessThan(burst)
    }
    for (const tab of [first, second]) expect(await tab.tile('e2e: burst').count()).toBe(burst)
  })
})
