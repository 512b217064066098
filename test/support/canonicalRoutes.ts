import { createApi, fakeBaseQuery } from '@reduxjs/toolkit/query'
import { defineRoutes } from '../../src/router/defineRoutes'
import type { Row } from '../../src/events/events'
import { Gate } from './gate'

/**
 * The canonical invalidation map of the seed plan (seeds/realtime-polling-simplification-plan.md),
 * written as RTK Query tags:
 *   ['unified-generations','project',p] → { type: 'UnifiedGenerations', id: 'project:p' }
 *   ['unified-generations','shot',s]    → { type: 'UnifiedGenerations', id: 'shot:s' }
 *   ['shots',p]                         → { type: 'Shots', id: p }
 *   ['task-status-counts',p]            → { type: 'TaskStatusCounts', id: p }
 *   ['tasks','paginated',p,1]           → { type: 'Tasks', id: 'paginated:p:1' }
 */
export const CANONICAL_TAG_TYPES = ['UnifiedGenerations', 'Shots', 'TaskStatusCounts', 'Tasks'] as const

/** A fake backend: counts the queries each endpoint runs and can hold them in flight. */
export class FakeBackend {
  readonly calls: Record<string, number> = {}
  private readonly gate = new Gate()

  /** Queries started from now on wait until `release()`. */
  hold(): void {
    this.gate.hold()
  }

  release(): void {
    this.gate.release()
  }

  /** Queries held now never complete (they sit on a dead connection); queries from now on pass. */
  strand(): void {
    this.gate.strand()
  }

  private readonly endpointGates = new Map<string, Gate>()

  /** Queries of one endpoint started from now on wait until `releaseEndpoint(endpoint)` (one hung read). */
  holdEndpoint(endpoint: string): void {
    const gate = this.endpointGates.get(endpoint) ?? new Gate()
    gate.hold()
    this.endpointGates.set(endpoint, gate)
  }

  releaseEndpoint(endpoint: string): void {
    this.endpointGates.get(endpoint)?.release()
  }

  async run<T>(endpoint: string, data: T): Promise<{ data: T }> {
    this.calls[endpoint] = (this.calls[endpoint] ?? 0) + 1
    await this.gate.pass()
    await this.endpointGates.get(endpoint)?.pass()
    return { data }
  }

  count(endpoint: string): number {
    return this.calls[endpoint] ?? 0
  }
}

/** An RTK Query api with the canonical tag types; its queries hit `backend` (no network). */
export function createCanonicalApi(
  backend = new FakeBackend(),
  { invalidationBehavior }: { invalidationBehavior?: 'delayed' | 'immediately' } = {},
) {
  return createApi({
    reducerPath: 'canonicalApi',
    baseQuery: fakeBaseQuery<{ message: string }>(),
    tagTypes: CANONICAL_TAG_TYPES,
    ...(invalidationBehavior ? { invalidationBehavior } : {}),
    endpoints: (build) => ({
      projectGenerations: build.query<string, string>({
        queryFn: (projectId) => backend.run('projectGenerations', `generations of ${projectId}`),
        providesTags: (_result, _error, projectId) => [{ type: 'UnifiedGenerations', id: `project:${projectId}` }],
      }),
      shotGenerations: build.query<string, string>({
        queryFn: (shotId) => backend.run('shotGenerations', `generations of shot ${shotId}`),
        providesTags: (_result, _error, shotId) => [{ type: 'UnifiedGenerations', id: `shot:${shotId}` }],
      }),
      shots: build.query<string, string>({
        queryFn: (projectId) => backend.run('shots', `shots of ${projectId}`),
        providesTags: (_result, _error, projectId) => [{ type: 'Shots', id: projectId }],
      }),
      taskStatusCounts: build.query<string, string>({
        queryFn: (projectId) => backend.run('taskStatusCounts', `task counts of ${projectId}`),
        providesTags: (_result, _error, projectId) => [{ type: 'TaskStatusCounts', id: projectId }],
      }),
      tasksPage: build.query<string, { projectId: string; page: number }>({
        queryFn: ({ projectId, page }) => backend.run('tasksPage', `tasks of ${projectId} page ${page}`),
        providesTags: (_result, _error, { projectId, page }) => [
          { type: 'Tasks', id: `paginated:${projectId}:${page}` },
        ],
      }),
    }),
  })
}

export type CanonicalApi = ReturnType<typeof createCanonicalApi>

function field(row: Row | null, name: string): unknown {
  return row?.[name]
}

/** The shots a change touches: the new row's and, when it moved, the old row's. */
function shotsOf(newRow: Row | null, oldRow: Row | null): unknown[] {
  const shots = [field(newRow, 'shot_id'), field(oldRow, 'shot_id')].filter(
    (shot) => shot !== undefined && shot !== null,
  )
  return [...new Set(shots)]
}

/** The canonical map as real routes, typed against the canonical api. */
export const canonicalRoutes = defineRoutes<CanonicalApi>()([
  {
    // generations INSERT/UPDATE/DELETE: the project's list, the shot's list when known, and the shot counts.
    on: { table: 'generations' },
    tags: (e) => {
      const projectId = field(e.new, 'project_id') ?? field(e.old, 'project_id')
      return [
        { type: 'UnifiedGenerations', id: `project:${String(projectId)}` },
        ...shotsOf(e.new, e.old).map((shot) => ({ type: 'UnifiedGenerations' as const, id: `shot:${String(shot)}` })),
        { type: 'Shots', id: String(projectId) },
      ]
    },
  },
  {
    // shot_generations INSERT/UPDATE/DELETE: the project's list and the lists of the shots involved.
    on: { table: 'shot_generations' },
    tags: (e) => [
      { type: 'UnifiedGenerations', id: `project:${String(field(e.new, 'project_id') ?? field(e.old, 'project_id'))}` },
      ...shotsOf(e.new, e.old).map((shot) => ({ type: 'UnifiedGenerations' as const, id: `shot:${String(shot)}` })),
    ],
  },
  {
    // tasks status transitions: the status counts and the first page of tasks.
    on: { table: 'tasks' },
    tags: (e) => {
      const statusUnchanged =
        e.eventType === 'UPDATE' &&
        field(e.old, 'status') !== undefined &&
        field(e.old, 'status') === field(e.new, 'status')
      if (statusUnchanged) return []
      const projectId = String(field(e.new, 'project_id') ?? field(e.old, 'project_id'))
      return [
        { type: 'TaskStatusCounts', id: projectId },
        { type: 'Tasks', id: `paginated:${projectId}:1` },
      ]
    },
  },
  {
    on: { broadcast: 'GENERATIONS_UPDATED' },
    tags: (e) => [
      { type: 'UnifiedGenerations', id: `project:${String((e.payload as { projectId?: unknown } | null)?.projectId)}` },
    ],
  },
])
