import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { createServer, type ViteDevServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHROMIUM_ARGS, chromiumExecutable } from '../../scripts/chromium'

/**
 * Two pages of one origin in the system Chromium, each running a store built from the
 * library's source (test/crossTab/page): real Web Locks, real BroadcastChannel.
 */
const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..')
const pageRoot = join(repoRoot, 'test/crossTab/page')

/** Bounded waits: each condition must hold within this long, or the test fails. */
const WITHIN_MS = 15_000

interface Fixture {
  crossTab(): {
    role: string
    tabId: string | null
    leaderId: string | null
    election: string | null
    relaysSent: number
    relaysReceived: number
    relaysApplied: number
  }
  fetches(projectId: string): number
  pollingInterval(): number | null
  addTodo(projectId: string): Promise<void>
  /** `?realtime=switchable` pages: the connection, its next retry, early retries, and the switch. */
  connection(): string
  nextRetryAt(): number | null
  peerReconnectWakeups(): number
  serverUp(): void
  recover(): void
}

declare global {
  interface Window {
    crossTabFixture?: Fixture
  }
}

let server: ViteDevServer
let browser: Browser
let baseUrl: string
let cacheDir: string

beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'cross-tab-vite-'))
  server = await createServer({
    configFile: false,
    root: pageRoot,
    cacheDir,
    logLevel: 'error',
    server: { host: '127.0.0.1', port: 0, hmr: false, fs: { allow: [repoRoot] } },
    optimizeDeps: {
      entries: ['main.ts'],
      include: ['@reduxjs/toolkit', '@reduxjs/toolkit/query', 'redux-saga', 'redux-saga/effects'],
    },
  })
  await server.listen()
  const address = server.httpServer?.address() as AddressInfo
  baseUrl = `http://127.0.0.1:${address.port}/`
  browser = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS })
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
  if (cacheDir) await rm(cacheDir, { recursive: true, force: true })
})

async function openPage(context: Awaited<ReturnType<Browser['newContext']>>, query = ''): Promise<Page> {
  const page = await context.newPage()
  await page.goto(`${baseUrl}${query}`)
  await page.waitForFunction(() => window.crossTabFixture?.crossTab().role !== 'off', undefined, { timeout: WITHIN_MS })
  return page
}

const crossTabOf = (page: Page) => page.evaluate(() => window.crossTabFixture!.crossTab())

/** Waits (bounded) until the page knows another page and a leader (itself or the other). */
async function untilSettled(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const state = window.crossTabFixture!.crossTab()
      return state.leaderId !== null && (state.role === 'leader' || state.role === 'follower')
    },
    undefined,
    { timeout: WITHIN_MS, polling: 100 },
  )
}

describe.each([
  { election: 'locks', query: '' },
  { election: 'heartbeat', query: '?locks=off' },
])('cross-tab in Chromium ($election)', ({ election, query }) => {
  it('elects one leader, relays a mutation to the other page, and hands leadership over when the leader closes', async () => {
    const context = await browser.newContext()
    try {
      const first = await openPage(context, query)
      const second = await openPage(context, query)
      await untilSettled(first)
      await untilSettled(second)
      const roles = [await crossTabOf(first), await crossTabOf(second)]
      expect(roles.map((state) => state.role).sort()).toEqual(['follower', 'leader'])
      expect(roles.map((state) => state.election)).toEqual([election, election])
      expect(roles[0]!.leaderId).toBe(roles[1]!.leaderId)
      const [leader, follower] = roles[0]!.role === 'leader' ? [first, second] : [second, first]

      // A mutation in one page refetches the query of the other page that uses its tag.
      await follower.waitForFunction(() => window.crossTabFixture!.fetches('p1') >= 1, undefined, {
        timeout: WITHIN_MS,
      })
      const before = await follower.evaluate(() => window.crossTabFixture!.fetches('p1'))
      await leader.evaluate(() => window.crossTabFixture!.addTodo('p1'))
      await follower.waitForFunction((count) => window.crossTabFixture!.fetches('p1') > count, before, {
        timeout: WITHIN_MS,
        polling: 50,
      })
      expect(await crossTabOf(leader)).toMatchObject({ relaysSent: 1 })
      expect(await crossTabOf(follower)).toMatchObject({ relaysReceived: 1, relaysApplied: 1 })

      // Closing the leader's page makes the other page lead.
      await leader.close()
      await follower.waitForFunction(
        () => {
          const state = window.crossTabFixture!.crossTab()
          return state.leaderId === state.tabId
        },
        undefined,
        { timeout: WITHIN_MS, polling: 100 },
      )
      expect((await crossTabOf(follower)).role).toMatch(/^(leader|solo)$/)
    } finally {
      await context.close()
    }
  })
})

describe('cross-tab poll sharing in Chromium', () => {
  it("polls for a visible follower from the leader: the follower's own cadence is the hidden one, and the leader's relayed polls refetch the project only the follower shows", async () => {
    const context = await browser.newContext()
    try {
      const first = await openPage(context, '?show=p2')
      const second = await openPage(context, '?show=p3')
      await untilSettled(first)
      await untilSettled(second)
      const [leader, follower, followerOnly] =
        (await crossTabOf(first)).role === 'leader' ? [first, second, 'p3'] : [second, first, 'p2']
      await follower.waitForFunction(() => (window.crossTabFixture!.pollingInterval() ?? 0) >= 14_000, undefined, {
        timeout: WITHIN_MS,
        polling: 100,
      })
      const before = await follower.evaluate(() => window.crossTabFixture!.crossTab().relaysApplied)
      await follower.waitForFunction((count) => window.crossTabFixture!.crossTab().relaysApplied > count, before, {
        timeout: WITHIN_MS,
        polling: 100,
      })
      expect(
        await follower.evaluate((project) => window.crossTabFixture!.fetches(project), followerOnly),
      ).toBeGreaterThanOrEqual(2)
      expect(await leader.evaluate((project) => window.crossTabFixture!.fetches(project), followerOnly)).toBe(0)
      expect((await crossTabOf(leader)).relaysSent).toBeGreaterThanOrEqual(1)
      expect(await leader.evaluate(() => window.crossTabFixture!.pollingInterval())).toBeLessThanOrEqual(6_000)
    } finally {
      await context.close()
    }
  })
})

describe('cross-tab reconnect in Chromium', () => {
  it('a suspended page retries at once when the other page reports that its connection came back', async () => {
    const context = await browser.newContext()
    try {
      const first = await openPage(context, '?realtime=switchable')
      const second = await openPage(context, '?realtime=switchable')
      await untilSettled(first)
      await untilSettled(second)
      for (const page of [first, second]) {
        await page.waitForFunction(() => window.crossTabFixture!.connection() === 'suspended', undefined, {
          timeout: WITHIN_MS,
          polling: 100,
        })
      }
      // The second page's own retry is 30–90 s away: within WITHIN_MS only the first page's report can bring it back.
      const dueIn = await second.evaluate(() => window.crossTabFixture!.nextRetryAt()! - Date.now())
      expect(dueIn).toBeGreaterThan(WITHIN_MS)

      await second.evaluate(() => window.crossTabFixture!.serverUp())
      await first.evaluate(() => {
        window.crossTabFixture!.serverUp()
        window.crossTabFixture!.recover()
      })

      await second.waitForFunction(() => window.crossTabFixture!.connection() === 'connected', undefined, {
        timeout: WITHIN_MS,
        polling: 50,
      })
      expect(await second.evaluate(() => window.crossTabFixture!.peerReconnectWakeups())).toBe(1)
      expect(await first.evaluate(() => window.crossTabFixture!.connection())).toBe('connected')
      expect(await first.evaluate(() => window.crossTabFixture!.peerReconnectWakeups())).toBe(0)
    } finally {
      await context.close()
    }
  })
})
