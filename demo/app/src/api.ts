import { createApi, fakeBaseQuery } from '@reduxjs/toolkit/query/react'
import type { PostgrestError } from '@supabase/supabase-js'
import type { Generation, Project, Shot, TaskCounts, TaskStatus } from './model'
import { supabase } from './supabase'

type Result<T> = { data: T } | { error: PostgrestError }

/** Turns a supabase-js reply into what an RTK Query `queryFn` returns. */
async function run<T>(
  request: PromiseLike<{ data: T | null; error: PostgrestError | null }>,
  empty: T,
): Promise<Result<T>> {
  const { data, error } = await request
  return error ? { error } : { data: data ?? empty }
}

/** The demo's RTK Query api: reads and writes through supabase-js, tags as in the canonical map. */
export const api = createApi({
  reducerPath: 'api',
  baseQuery: fakeBaseQuery<PostgrestError>(),
  tagTypes: ['UnifiedGenerations', 'Shots', 'TaskStatusCounts', 'Tasks'],
  endpoints: (build) => ({
    projects: build.query<Project[], void>({
      queryFn: () => run(supabase.from('projects').select('id, name').order('id'), []),
    }),
    projectGenerations: build.query<Generation[], number>({
      queryFn: (projectId) =>
        run(supabase.from('generations').select('*').eq('project_id', projectId).order('id', { ascending: false }), []),
      providesTags: (_result, _error, projectId) => [{ type: 'UnifiedGenerations', id: `project:${projectId}` }],
    }),
    shots: build.query<Shot[], number>({
      queryFn: (projectId) => run(supabase.from('shots').select('*').eq('project_id', projectId).order('position'), []),
      providesTags: (_result, _error, projectId) => [{ type: 'Shots', id: String(projectId) }],
    }),
    shotGenerations: build.query<Generation[], { shotId: number; projectId: number }>({
      async queryFn({ shotId }) {
        const links = await run(
          supabase.from('shot_generations').select('generation_id').eq('shot_id', shotId).order('position'),
          [] as Array<{ generation_id: number }>,
        )
        if ('error' in links) return links
        if (links.data.length === 0) return { data: [] }
        const ids = links.data.map((link) => link.generation_id)
        const rows = await run(supabase.from('generations').select('*').in('id', ids), [] as Generation[])
        if ('error' in rows) return rows
        return {
          data: ids
            .map((id) => rows.data.find((row) => row.id === id))
            .filter((row): row is Generation => row !== undefined),
        }
      },
      // A starred or deleted generation changes the shot's view too: the canonical map tags those with Shots.
      providesTags: (_result, _error, { shotId, projectId }) => [
        { type: 'UnifiedGenerations', id: `shot:${shotId}` },
        { type: 'Shots', id: String(projectId) },
      ],
    }),
    taskStatusCounts: build.query<TaskCounts, number>({
      async queryFn(projectId) {
        const result = await run(
          supabase.from('tasks').select('status').eq('project_id', projectId),
          [] as Array<{ status: TaskStatus }>,
        )
        if ('error' in result) return result
        const counts: TaskCounts = { queued: 0, running: 0, complete: 0, failed: 0 }
        for (const { status } of result.data as Array<{ status: TaskStatus }>) counts[status] += 1
        return { data: counts }
      },
      providesTags: (_result, _error, projectId) => [{ type: 'TaskStatusCounts', id: String(projectId) }],
    }),

    enqueueTask: build.mutation<null, { projectId: number; prompt: string; clientRequestId: string }>({
      queryFn: ({ projectId, prompt, clientRequestId }) =>
        run(supabase.from('tasks').insert({ project_id: projectId, prompt, client_request_id: clientRequestId }), null),
      invalidatesTags: (_result, _error, { projectId }) => [{ type: 'TaskStatusCounts', id: String(projectId) }],
    }),
    setStarred: build.mutation<null, { generation: Generation; starred: boolean }>({
      queryFn: ({ generation, starred }) =>
        run(
          supabase
            .from('generations')
            .update({ starred, updated_at: new Date().toISOString() })
            .eq('id', generation.id),
          null,
        ),
      invalidatesTags: (_result, _error, { generation }) => [
        { type: 'UnifiedGenerations', id: `project:${generation.project_id}` },
        { type: 'Shots', id: String(generation.project_id) },
      ],
    }),
    deleteGeneration: build.mutation<null, Generation>({
      queryFn: (generation) => run(supabase.from('generations').delete().eq('id', generation.id), null),
      invalidatesTags: (_result, _error, generation) => [
        { type: 'UnifiedGenerations', id: `project:${generation.project_id}` },
        { type: 'Shots', id: String(generation.project_id) },
      ],
    }),
    moveToShot: build.mutation<null, { generation: Generation; shotId: number }>({
      async queryFn({ generation, shotId }) {
        // A generation sits in at most one shot here: leave the old one, join the new one.
        const left = await run(supabase.from('shot_generations').delete().eq('generation_id', generation.id), null)
        if ('error' in left) return left
        return run(
          supabase
            .from('shot_generations')
            .insert({ project_id: generation.project_id, shot_id: shotId, generation_id: generation.id }),
          null,
        )
      },
      invalidatesTags: (_result, _error, { generation }) => [{ type: 'Shots', id: String(generation.project_id) }],
    }),
  }),
})

export const {
  useProjectsQuery,
  useProjectGenerationsQuery,
  useShotsQuery,
  useShotGenerationsQuery,
  useTaskStatusCountsQuery,
  useEnqueueTaskMutation,
  useSetStarredMutation,
  useDeleteGenerationMutation,
  useMoveToShotMutation,
} = api
