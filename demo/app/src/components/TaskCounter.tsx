import { useTaskStatusCountsQuery } from '../api'

/** Queued, running and complete tasks of the project. */
export function TaskCounter({ projectId }: { projectId: number }) {
  const { data } = useTaskStatusCountsQuery(projectId)
  return (
    <dl className="task-counter" aria-label="Tasks" data-testid="task-counter">
      <dt>queued</dt>
      <dd>{data?.queued ?? '–'}</dd>
      <dt>running</dt>
      <dd>{data?.running ?? '–'}</dd>
      <dt>done</dt>
      <dd>{data?.complete ?? '–'}</dd>
    </dl>
  )
}
