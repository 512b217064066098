import { createApi, fakeBaseQuery } from '@reduxjs/toolkit/query/react'

export interface Generation {
  id: string
  prompt: string
  status: string
  // Filled in by the database: a placeholder leaves them out.
  project_id?: number
  shot_id?: number | null
  updated_at?: string
  client_request_id?: string | null
}

/** The api the README's blocks name: the canonical tag types and a few endpoints. */
export const api = createApi({
  baseQuery: fakeBaseQuery(),
  tagTypes: ['UnifiedGenerations', 'ShotCounts', 'TaskStatusCounts', 'TasksPage', 'Generations'],
  endpoints: (build) => ({
    getGenerations: build.query<Generation[], { projectId: string }>({
      queryFn: () => ({ data: [] }),
      providesTags: (_result, _error, { projectId }) => [{ type: 'Generations', id: `project:${projectId}` }],
    }),
    getTasks: build.query<Array<{ id: string; status: string }>, string>({
      queryFn: () => ({ data: [] }),
    }),
    enqueueTask: build.mutation<{ id: string }, { projectId: string; prompt: string; requestId: string }>({
      queryFn: ({ requestId }) => ({ data: { id: requestId } }),
    }),
  }),
})

export const { useGetTasksQuery } = api
