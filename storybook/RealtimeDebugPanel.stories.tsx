import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, waitFor, within } from 'storybook/test'
import { RealtimeDebugPanel } from '../src/react'
import { createLiveScene, type LiveScene } from './support/liveScene'
import {
  churnScene,
  connectedScene,
  connectingScene,
  disabledScene,
  failedAuthScene,
  followerTabScene,
  reconnectingScene,
  stuckChannelScene,
  suspendedScene,
  type Scene,
} from './support/scenes'
import { SceneView } from './support/SceneView'
import { outageAndBackScene, silentTableScene } from './support/silentScene'

type FollowerScene = Awaited<ReturnType<typeof followerTabScene>>

type Loaded = { scene: Scene }

const meta = {
  title: 'Debug panel/RealtimeDebugPanel',
  component: RealtimeDebugPanel,
  render: (args, { loaded }) => (
    <SceneView scene={(loaded as Loaded).scene}>
      <RealtimeDebugPanel {...args} />
    </SceneView>
  ),
} satisfies Meta<typeof RealtimeDebugPanel>

export default meta
type Story = StoryObj<typeof meta>

const sceneOf = (loaded: unknown) => (loaded as Loaded).scene
const status = (canvasElement: HTMLElement) => within(canvasElement).getByRole('status')

export const Connected: Story = {
  loaders: [async () => ({ scene: await connectedScene() })],
  play: async ({ canvasElement, loaded, userEvent }) => {
    const canvas = within(canvasElement)
    const scene = sceneOf(loaded)
    await expect(status(canvasElement)).toHaveTextContent(/connected/)
    await expect(canvas.getAllByRole('row', { name: /project:|tasks:/ })).toHaveLength(3)

    await userEvent.click(canvas.getByRole('switch', { name: /kill switch/i }))
    await scene.clock.advance(100)
    await waitFor(() => expect(status(canvasElement)).toHaveTextContent(/disabled/))
    await expect(scene.transport.isConnected()).toBe(false)

    await userEvent.click(canvas.getByRole('switch', { name: /kill switch/i }))
    await scene.clock.advance(500)
    await waitFor(() => expect(status(canvasElement)).toHaveTextContent(/connected/))
  },
}

export const Connecting: Story = {
  loaders: [async () => ({ scene: await connectingScene() })],
  play: async ({ canvasElement }) => {
    await expect(status(canvasElement)).toHaveTextContent(/connecting/)
  },
}

export const ReconnectingWithBackoff: Story = {
  loaders: [async () => ({ scene: await reconnectingScene() })],
  play: async ({ canvasElement, loaded }) => {
    await expect(status(canvasElement)).toHaveTextContent(/reconnecting/)
    await expect(canvasElement).toHaveTextContent(/reconnecting for [\d.]+ \w+, retry \d+ in/)
    await expect(sceneOf(loaded).state().attempt).toBeGreaterThan(0)
  },
}

export const Suspended: Story = {
  loaders: [async () => ({ scene: await suspendedScene() })],
  play: async ({ canvasElement, loaded, userEvent }) => {
    const scene = sceneOf(loaded)
    await expect(status(canvasElement)).toHaveTextContent(/suspended/)
    // The server is back; "Recover now" does not wait for the next suspended retry.
    scene.transport.connectBehavior = 'open'
    await userEvent.click(within(canvasElement).getByRole('button', { name: 'Recover now' }))
    await scene.clock.advance(500)
    await waitFor(() => expect(status(canvasElement)).toHaveTextContent(/connected/))
  },
}

export const FailedAuth: Story = {
  loaders: [async () => ({ scene: await failedAuthScene() })],
  play: async ({ canvasElement, loaded, userEvent }) => {
    const canvas = within(canvasElement)
    const scene = sceneOf(loaded)
    await expect(status(canvasElement)).toHaveTextContent(/failed/)
    await expect(canvas.getAllByRole('listitem')[0]).toHaveTextContent(/AUTHENTICATION_FAILED/)
    scene.accept?.()
    await userEvent.click(canvas.getByRole('button', { name: 'Recover now' }))
    await scene.clock.advance(2_000)
    await waitFor(() => expect(status(canvasElement)).toHaveTextContent(/connected/))
  },
}

export const DisabledDeadModePolling: Story = {
  loaders: [async () => ({ scene: await disabledScene() })],
  play: async ({ canvasElement, loaded }) => {
    const canvas = within(canvasElement)
    await expect(status(canvasElement)).toHaveTextContent(/disabled/)
    await expect(canvas.getByRole('switch', { name: /kill switch/i })).toHaveAttribute('aria-checked', 'true')
    const cadence = sceneOf(loaded).pollingInterval()
    await expect(cadence).toBeGreaterThanOrEqual(4_000)
    await expect(canvasElement).toHaveTextContent(/Poll cadence\s*every \d/)
  },
}

export const ChannelStuckJoining: Story = {
  loaders: [async () => ({ scene: await stuckChannelScene() })],
  play: async ({ canvasElement }) => {
    const row = within(canvasElement).getByRole('row', { name: /tasks:1/ })
    await expect(row).toHaveTextContent(/TIMEOUT|error/)
    await expect(status(canvasElement)).toHaveTextContent(/connected/)
  },
}

export const ChurnStorm: Story = {
  loaders: [async () => ({ scene: await churnScene() })],
  play: async ({ canvasElement, loaded }) => {
    const metrics = sceneOf(loaded).metrics()
    await expect(metrics.invalidationsCoalesced).toBeGreaterThan(0)
    await expect(canvasElement).toHaveTextContent(new RegExp(`${metrics.invalidationsCoalesced} coalesced`))
    // Ten rounds of fifty mounts and forty-five unmounts: the same five topics stay, ten subscribers
    // each, and each was joined once (the mount storm cost one join per topic, not one per mount).
    const rows = within(canvasElement).getAllByRole('row', { name: /gallery:/ })
    await expect(rows).toHaveLength(5)
    for (const row of rows) await expect(within(row).getAllByRole('cell')[1]).toHaveTextContent(/^10$/)
    const scene = sceneOf(loaded)
    for (let index = 45; index < 50; index++) await expect(scene.transport.joins(`gallery:${index}`)).toBe(1)
  },
}

type SilentScene = Awaited<ReturnType<typeof silentTableScene>>

/** Connected, but one table of a topic delivers no events: it is polled, the alert names it, the timeline shows it silent. */
export const SilentTable: StoryObj<typeof meta> = {
  loaders: [async () => ({ scene: await silentTableScene() })],
  render: (args, { loaded }) => (
    <SceneView scene={(loaded as { scene: SilentScene }).scene}>
      <RealtimeDebugPanel {...args} />
    </SceneView>
  ),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await expect(status(canvasElement)).toHaveTextContent(/connected/)
    await expect(canvas.getByRole('alert')).toHaveTextContent(/public\.b on project:1 delivers no events/)
    await expect(canvas.getByRole('img', { name: /^project:1: now silent;(?=.* live )(?=.* silent )/ })).toBeVisible()
    await expect(canvas.getByRole('img', { name: /^connection: now connected/ })).toBeVisible()
    await expect(canvasElement).toHaveTextContent(/Silent\s*0 dead sockets found, 1 events missed, 1 sources silenced/)
  },
}

/** The timeline through an outage: the connection reconnecting then connected, each topic polled then live again. */
export const TimelineThroughAnOutage: Story = {
  loaders: [async () => ({ scene: await outageAndBackScene() })],
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await expect(status(canvasElement)).toHaveTextContent(/connected/)
    await expect(canvas.getByRole('img', { name: /^connection: now connected;(?=.* reconnecting )/ })).toBeVisible()
    await expect(canvas.getByRole('img', { name: /^project:1: now live;(?=.* polling )(?=.* live )/ })).toBeVisible()
    await expect(
      canvas.getByRole('img', { name: /^Event to refetch latency, last 5 minutes: latest P50/ }),
    ).toBeVisible()
  },
}

/** Two tabs, realtime down in both: this one follows, polls on the hidden cadence, and got a mutation's relay. */
export const FollowerTab: StoryObj<typeof meta> = {
  loaders: [async () => ({ scene: await followerTabScene() })],
  render: (args, { loaded }) => (
    <SceneView scene={(loaded as { scene: FollowerScene }).scene}>
      <RealtimeDebugPanel {...args} />
    </SceneView>
  ),
  play: async ({ canvasElement, loaded }) => {
    const { follower } = (loaded as { scene: FollowerScene }).scene
    await expect(follower.crossTab().role).toBe('follower')
    await expect(canvasElement).toHaveTextContent(/This tab\s*follower · 1 other tab/)
    await expect(canvasElement).toHaveTextContent(/Tab relays\s*1 sent/)
  },
}

/** Real time: a change every 400 ms, the socket lost every 12 s, and the library recovering. */
export const Live: StoryObj<typeof meta> = {
  loaders: [async () => ({ scene: createLiveScene() })],
  render: (args, { loaded }) => (
    <SceneView scene={(loaded as { scene: LiveScene }).scene}>
      <RealtimeDebugPanel {...args} />
    </SceneView>
  ),
  play: async ({ canvasElement, loaded, userEvent }) => {
    const canvas = within(canvasElement)
    const { realtime, store } = (loaded as { scene: LiveScene }).scene
    const joins = () => realtime.selectors.selectChannel('project:1')(store.getState())?.joins ?? 0
    await waitFor(() => expect(status(canvasElement)).toHaveTextContent(/connected/), { timeout: 5_000 })
    await waitFor(() => expect(canvasElement).toHaveTextContent(/Messages in \/ out\s*[1-9]/), { timeout: 5_000 })
    const before = joins()
    await userEvent.click(canvas.getByRole('button', { name: 'Recover now' }))
    // "Recover now" recreates every channel: the topic is joined once more, and the panel says connected.
    await waitFor(() => expect(joins()).toBeGreaterThan(before), { timeout: 10_000 })
    await waitFor(() => expect(status(canvasElement)).toHaveTextContent(/connected/), { timeout: 10_000 })
  },
}
