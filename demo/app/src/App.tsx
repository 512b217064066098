import { usePollingInterval, useRealtimeSubscription } from 'rtk-supabase-realtime/react'
import { useProjectsQuery } from './api'
import { ChaosStrip } from './components/ChaosStrip'
import { Gallery } from './components/Gallery'
import { GenerateForm } from './components/GenerateForm'
import { ShotsPanel } from './components/ShotsPanel'
import { TaskCounter } from './components/TaskCounter'
import type { Project } from './model'

function ProjectPage({ project }: { project: Project }) {
  const id = project.id
  // One subscription keeps the whole project fresh: its gallery, its shots and its task counters.
  // The gallery's generations come by Broadcast from Database (triggers send each change to this
  // private topic, demo/server/demoDatabase.ts); the other tables by postgres_changes. The same routes
  // apply to both.
  useRealtimeSubscription({
    topic: `project:${id}`,
    private: true,
    changes: { via: 'broadcast', tables: ['generations'] },
    postgres: [
      { event: '*', schema: 'public', table: 'shot_generations', filter: `project_id=eq.${id}` },
      { event: '*', schema: 'public', table: 'tasks', filter: `project_id=eq.${id}` },
    ],
    tags: [
      { type: 'UnifiedGenerations', id: `project:${id}` },
      { type: 'Shots', id: String(id) },
      { type: 'TaskStatusCounts', id: String(id) },
    ],
  })
  return (
    <>
      <header className="topbar">
        <h1>{project.name}</h1>
        <TaskCounter projectId={id} />
        <GenerateForm projectId={id} />
      </header>
      <ChaosStrip />
      <main className="layout">
        <Gallery projectId={id} />
        <ShotsPanel projectId={id} />
      </main>
    </>
  )
}

export function App() {
  // The project list has no subscription of its own: it polls on the library's cadence.
  const pollingInterval = usePollingInterval()
  const { data: projects, error } = useProjectsQuery(undefined, { pollingInterval })
  if (error) return <p role="alert">Could not load projects: {'message' in error ? error.message : 'error'}</p>
  const project = projects?.[0]
  return project ? <ProjectPage project={project} /> : <p className="loading">Loading…</p>
}
