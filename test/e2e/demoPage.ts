import type { BrowserContext, Page } from 'playwright-core'

/** The window the demo's tabs are opened in (also what `npm run screenshot` pictures). */
export const DEMO_VIEWPORT = { width: 1200, height: 760 }

/** A phone's window (the narrow picture of `npm run screenshot`). */
export const PHONE_VIEWPORT = { width: 390, height: 844 }

/** One tab of the demo app, with the requests it made to each table. */
export interface DemoTab {
  page: Page
  /**
   * GET requests to /rest/v1/<table> since the tab opened; with `param` (say `project_id=eq.`)
   * only those whose query string contains it.
   */
  reads(table: string, param?: string): number
  tile(prompt: string): ReturnType<Page['locator']>
  shot(name: string): ReturnType<Page['locator']>
  realtimeState(): Promise<string>
  /** Successful joins of a topic's channel so far (from the app's store). */
  joins(topic: string): Promise<number>
  setHidden(hidden: boolean): Promise<void>
}

type DemoWindow = {
  __demo?: { store: { getState(): { realtime: { channels: Record<string, { joins: number } | undefined> } } } }
}

/**
 * Opens the demo in a new tab of `context` and waits until the gallery is loaded, realtime is
 * connected and the channel of `topic` (the project's, `project:<id>`) has joined. The socket
 * is up before the channel joins: a change made in between reaches the tab by no event, only
 * by a later refetch, so a test that writes right after opening waits for the join.
 *
 * Tabs of one context share an origin's BroadcastChannel and Web Locks (cross-tab relay and
 * leader election); a tab in a context of its own learns of other tabs' writes by realtime only.
 */
export async function openDemo(context: BrowserContext, url: string, topic: string): Promise<DemoTab> {
  const page = await context.newPage()
  const readUrls = new Map<string, string[]>()
  page.on('request', (request) => {
    if (request.method() !== 'GET') return
    const requestUrl = new URL(request.url())
    const match = /^\/rest\/v1\/([a-z_]+)$/.exec(requestUrl.pathname)
    if (!match) return
    const table = match[1]!
    readUrls.set(table, [...(readUrls.get(table) ?? []), decodeURIComponent(requestUrl.search)])
  })
  await page.goto(url)
  const joins = (name: string) =>
    page.evaluate(
      (channel) => (window as unknown as DemoWindow).__demo?.store.getState().realtime.channels[channel]?.joins ?? 0,
      name,
    )
  const tab: DemoTab = {
    page,
    reads: (table, param) =>
      (readUrls.get(table) ?? []).filter((search) => param === undefined || search.includes(param)).length,
    tile: (prompt) => page.getByTestId('tile').filter({ hasText: prompt }),
    shot: (name) => page.locator(`[data-testid=shot][data-shot="${name}"]`),
    realtimeState: async () => (await page.getByTestId('realtime-state').textContent()) ?? '',
    joins,
    // Headless pages are always visible: the test plays the browser's part of hiding one.
    setHidden: (hidden) =>
      page.evaluate((value) => {
        Object.defineProperty(document, 'visibilityState', {
          configurable: true,
          get: () => (value ? 'hidden' : 'visible'),
        })
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => value })
        document.dispatchEvent(new Event('visibilitychange'))
      }, hidden),
  }
  await page.getByTestId('gallery-count').filter({ hasText: /^\d+$/ }).waitFor({ timeout: 30_000 })
  await page.getByTestId('realtime-state').filter({ hasText: 'realtime: connected' }).waitFor({ timeout: 30_000 })
  await page.waitForFunction(
    (channel) =>
      ((window as unknown as DemoWindow).__demo?.store.getState().realtime.channels[channel]?.joins ?? 0) > 0,
    topic,
    { timeout: 30_000, polling: 50 },
  )
  return tab
}
