import type { Browser, Page } from 'playwright-core'

/** One tab of the demo app, with the requests it made to each table. */
export interface DemoTab {
  page: Page
  /** GET requests to /rest/v1/<table> since the tab opened. */
  reads(table: string): number
  tile(prompt: string): ReturnType<Page['locator']>
  shot(name: string): ReturnType<Page['locator']>
  realtimeState(): Promise<string>
  /** Successful joins of a topic's channel so far (from the app's store). */
  joins(topic: string): Promise<number>
  setHidden(hidden: boolean): Promise<void>
}

/** Opens the demo in a new tab and waits until the gallery is loaded and realtime is connected. */
export async function openDemo(browser: Browser, url: string): Promise<DemoTab> {
  const context = browser.contexts()[0] ?? (await browser.newContext({ viewport: { width: 1200, height: 760 } }))
  const page = await context.newPage()
  const readsByTable = new Map<string, number>()
  page.on('request', (request) => {
    const match = /\/rest\/v1\/([a-z_]+)/.exec(request.url())
    if (match && request.method() === 'GET') readsByTable.set(match[1]!, (readsByTable.get(match[1]!) ?? 0) + 1)
  })
  await page.goto(url)
  const tab: DemoTab = {
    page,
    reads: (table) => readsByTable.get(table) ?? 0,
    tile: (prompt) => page.getByTestId('tile').filter({ hasText: prompt }),
    shot: (name) => page.locator(`[data-testid=shot][data-shot="${name}"]`),
    realtimeState: async () => (await page.getByTestId('realtime-state').textContent()) ?? '',
    joins: (topic) =>
      page.evaluate((name) => {
        const demo = (window as unknown as { __demo: { store: { getState(): { realtime: { channels: Record<string, { joins: number } | undefined> } } } } }).__demo
        return demo.store.getState().realtime.channels[name]?.joins ?? 0
      }, topic),
    // Headless pages are always visible: the test plays the browser's part of hiding one.
    setHidden: (hidden) =>
      page.evaluate((value) => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (value ? 'hidden' : 'visible') })
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => value })
        document.dispatchEvent(new Event('visibilitychange'))
      }, hidden),
  }
  await page.getByTestId('gallery-count').filter({ hasText: /^\d+$/ }).waitFor({ timeout: 30_000 })
  await page.getByTestId('realtime-state').filter({ hasText: 'realtime: connected' }).waitFor({ timeout: 30_000 })
  return tab
}
