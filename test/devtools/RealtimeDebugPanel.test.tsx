import { afterEach, describe, expect, it } from 'vitest'
import { userEvent } from 'vitest/browser'
import { render } from 'vitest-browser-react'
import { RealtimeDebugPanel } from '../../src/react'
import { failedByAuth, finishHarness, insertEvent, type Harness } from '../support/harness'
import { providersFor, settle } from '../support/reactHarness'
import { createRouterHarness } from '../support/routerHarness'
import { createTabs } from '../crossTab/support/tabsHarness'
import { announce, oneTopicTwoTables } from '../support/tablesApi'

let harness: Harness | undefined
afterEach(() => finishHarness(harness))

async function renderPanel(h: Harness) {
  const Providers = providersFor(h)
  return render(
    <Providers>
      <RealtimeDebugPanel />
    </Providers>,
  )
}

describe('RealtimeDebugPanel', () => {
  it('shows the connection, each channel and the metrics, and no row data', async () => {
    const h = (harness = createRouterHarness())
    h.subscribe('project:1', [{ type: 'UnifiedGenerations', id: 'project:1' }])
    const screen = await renderPanel(h)
    await settle(h)
    h.emit(
      insertEvent('project:1', 'generations', { id: 7, project_id: 1, prompt: 'TOP-SECRET-PROMPT' }, h.clock.now()),
    )
    await settle(h, 1_000)

    const panel = screen.getByRole('region', { name: 'Realtime' })
    await expect.element(panel.getByRole('status')).toHaveTextContent(/connected/)
    const row = panel.getByRole('row', { name: /project:1/ })
    await expect.element(row.getByRole('cell').nth(0)).toHaveTextContent(/^subscribed$/)
    await expect.element(row.getByRole('cell').nth(1)).toHaveTextContent(/^1$/)
    await expect.element(panel.getByText('Messages in / out')).toBeVisible()
    const issued = h.metrics().invalidationsIssued
    expect(issued).toBeGreaterThan(0)
    await expect.element(panel).toHaveTextContent(new RegExp(`Invalidations\\s*${issued} issued`))
    await expect.element(panel).not.toHaveTextContent(/TOP-SECRET-PROMPT/)
  })

  it('shows how gaps were repaired: replayed (with the messages replayed) or refetched', async () => {
    const h = (harness = createRouterHarness())
    h.subscribe('project:1', [{ type: 'UnifiedGenerations', id: 'project:1' }])
    const screen = await renderPanel(h)
    await settle(h)
    const at = h.clock.now()
    h.store.dispatch(h.realtime.events.catchUpReplayed({ topic: 'project:1', replayed: 3, duplicates: 1, at }))
    h.store.dispatch(
      h.realtime.events.catchUpReplayFellBack({ topic: 'project:2', reason: 'overflow', replayed: 25, at }),
    )
    await settle(h)
    await expect
      .element(screen.getByRole('region', { name: 'Realtime' }))
      .toHaveTextContent(/Gap catch-up\s*1 replayed \(28 messages\), 1 refetched/)
  })

  it('turns the kill switch on and off with the keyboard', async () => {
    const h = (harness = createRouterHarness())
    h.subscribe('project:1', [{ type: 'UnifiedGenerations', id: 'project:1' }])
    const screen = await renderPanel(h)
    await settle(h)
    const killSwitch = screen.getByRole('switch', { name: /kill switch/i })
    await expect.element(killSwitch).toHaveAttribute('aria-checked', 'false')

    ;(killSwitch.element() as HTMLElement).focus()
    await userEvent.keyboard(' ')
    await settle(h)
    await expect.element(killSwitch).toHaveAttribute('aria-checked', 'true')
    await expect.element(screen.getByRole('status')).toHaveTextContent(/disabled/)
    expect(h.transport.isConnected()).toBe(false)
    await expect.element(screen.getByRole('region', { name: 'Realtime' })).toHaveTextContent(/Poll cadence\s*every/)
    await expect
      .element(screen.getByRole('region', { name: 'Realtime' }))
      .toHaveTextContent(/Server refusals\s*none \(0 waited for a channel\)/)

    await userEvent.keyboard('{Enter}')
    await settle(h)
    await expect.element(screen.getByRole('status')).toHaveTextContent(/connected/)
    expect(h.transport.isConnected()).toBe(true)
  })

  it('recovers a connection that failed on auth, and lists the error', async () => {
    const { harness: h, accept } = await failedByAuth('project:1')
    harness = h
    const screen = await renderPanel(h)
    await expect.element(screen.getByRole('status')).toHaveTextContent(/failed/)
    await expect.element(screen.getByRole('listitem').first()).toHaveTextContent(/AUTHENTICATION_FAILED/)

    accept()
    await screen.getByRole('button', { name: 'Recover now' }).click()
    await settle(h, 2_000)
    await expect.element(screen.getByRole('status')).toHaveTextContent(/connected/)
    expect(h.payloadsOf(h.realtime.events.recover)).toHaveLength(1)
    await expect.element(screen.getByRole('row', { name: /project:1/ })).toHaveTextContent(/subscribed/)
  })

  it("shows this tab's cross-tab role and the relays it received", async () => {
    const tabs = createTabs()
    try {
      const first = tabs.open('first')
      const second = tabs.open('second')
      await tabs.clock.advance(5_000)
      const leader = first.crossTab().role === 'leader' ? first : second
      const follower = leader === first ? second : first
      first.mount('todos', 'p1')
      const Providers = providersFor(leader)
      const screen = await render(
        <Providers>
          <RealtimeDebugPanel />
        </Providers>,
      )
      await expect
        .element(screen.getByRole('region', { name: 'Realtime' }))
        .toHaveTextContent(/This tab\s*leader for [\d.]+ s · 1 other tab/)
      await follower.mutate('addTodo', { projectId: 'p1' })
      await tabs.clock.advance(100)
      await expect
        .element(screen.getByRole('region', { name: 'Realtime' }))
        .toHaveTextContent(/Tab relays\s*0 sent, 1 received/)
    } finally {
      tabs.stopAll()
    }
  })

  it('keeps the live region to the connection state (durations tick every second outside it)', async () => {
    const h = (harness = createRouterHarness())
    h.subscribe('project:1', [{ type: 'UnifiedGenerations', id: 'project:1' }])
    const screen = await renderPanel(h)
    await settle(h, 5_000)
    await expect.element(screen.getByRole('status')).toHaveTextContent(/^connected$/)
    await expect.element(screen.getByRole('region', { name: 'Realtime' })).toHaveTextContent(/connected for [\d.]+ s/)
    await expect.element(screen.getByRole('switch', { name: 'Kill switch' })).toBeVisible()
  })

  it('draws the last five minutes, names a silent table in the alert, and shows every counter', async () => {
    const h = (harness = await oneTopicTwoTables())
    const screen = await renderPanel(h)
    h.db.a += 1
    announce(h, 'a')
    await settle(h, 1_000)
    h.db.b += 1
    await settle(h, 60_000)

    const panel = screen.getByRole('region', { name: 'Realtime' })
    await expect.element(panel.getByRole('alert')).toHaveTextContent(/public\.b on project:1 delivers no events/)
    await expect.element(panel.getByRole('alert')).toHaveTextContent(/publication, RLS and triggers/)
    await expect.element(panel.getByRole('img', { name: /^connection: now connected; connected 1m/ })).toBeVisible()
    await expect.element(panel.getByRole('img', { name: /^project:1: now silent;(?=.* live )/ })).toBeVisible()
    await expect
      .element(panel.getByRole('img', { name: /^Event to refetch latency, last 5 minutes: latest P50 \d+ ms, P95/ }))
      .toBeVisible()
    await expect.element(panel).toHaveTextContent(/Reads\s*0 restarted, 0 timed out, 0 held refetched/)
    await expect.element(panel).toHaveTextContent(/Silent\s*0 dead sockets found, 1 events missed, 1 sources silenced/)
    await expect.element(panel).toHaveTextContent(/Tokens\s*0 expired, 0 refreshed ahead, 0 source failures/)
    await expect.element(panel).toHaveTextContent(/Frames malformed\s*0/)
    await expect.element(panel).toHaveTextContent(/Reconnects\s*0 \(avg [^)]*\), 0 started early by another tab/)

    // An event of the silent table clears it: the alert goes, and the topic is drawn live again.
    announce(h, 'b')
    await settle(h, 1_000)
    await expect.element(panel.getByRole('alert')).not.toBeInTheDocument()
    await expect.element(panel.getByRole('img', { name: /^project:1: now live;(?=.* silent )/ })).toBeVisible()
  })

  it('hides and shows its details, telling assistive technology', async () => {
    const h = (harness = createRouterHarness())
    const screen = await renderPanel(h)
    const toggle = screen.getByRole('button', { name: 'Details' })
    await expect.element(toggle).toHaveAttribute('aria-expanded', 'true')
    await toggle.click()
    await expect.element(toggle).toHaveAttribute('aria-expanded', 'false')
    await expect.element(screen.getByRole('table')).not.toBeInTheDocument()
  })

  it('says what is missing when used outside a RealtimeProvider', async () => {
    const errors: unknown[] = []
    const quiet = (globalThis.console.error = ((original) => Object.assign(() => undefined, { original }))(
      globalThis.console.error,
    ))
    try {
      await render(<RealtimeDebugPanel />).catch((error: unknown) => errors.push(error))
    } finally {
      globalThis.console.error = quiet.original
    }
    expect(String(errors[0])).toMatch(/wrap the app in <RealtimeProvider realtime=\{realtime\}>/)
  })
})
