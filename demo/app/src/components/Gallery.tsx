import { useProjectGenerationsQuery, useShotsQuery } from '../api'
import { FreshnessBadge } from './FreshnessBadge'
import { GenerationTile } from './GenerationTile'

/** The project's generations, newest first (placeholders included while their task runs). */
export function Gallery({ projectId }: { projectId: number }) {
  const { data: generations = [], isLoading } = useProjectGenerationsQuery(projectId)
  const { data: shots = [] } = useShotsQuery(projectId)
  return (
    <section className="gallery" aria-labelledby="gallery-title">
      <h2 id="gallery-title">
        Gallery{' '}
        <span className="count" data-testid="gallery-count">
          {isLoading ? '…' : generations.length}
        </span>
      </h2>
      <FreshnessBadge projectId={projectId} />
      <ul className="tiles" aria-label="Generations">
        {generations.map((generation) => (
          <GenerationTile key={generation.client_request_id ?? generation.id} generation={generation} shots={shots} />
        ))}
      </ul>
    </section>
  )
}
