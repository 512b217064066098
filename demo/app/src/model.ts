/** Rows of the demo schema (demo/schema.sql), as PostgREST returns them. */
export interface Generation {
  /** A placeholder's id is its client request id until the real row replaces it. */
  id: number | string
  project_id: number
  prompt: string
  image_url: string | null
  starred: boolean
  client_request_id: string | null
  created_at: string
  updated_at: string
  /** Set on an optimistic placeholder until its real row arrives. */
  pending?: boolean
}

export interface Shot {
  id: number
  project_id: number
  name: string
  position: number
}

export interface Project {
  id: number
  name: string
}

export type TaskStatus = 'queued' | 'running' | 'complete' | 'failed'
export type TaskCounts = Record<TaskStatus, number>
