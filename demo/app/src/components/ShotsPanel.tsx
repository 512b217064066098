import { useShotGenerationsQuery, useShotsQuery } from '../api'
import type { Shot } from '../model'
import { tileArt } from './tileArt'

function ShotView({ shot }: { shot: Shot }) {
  const { data: generations = [] } = useShotGenerationsQuery({ shotId: shot.id, projectId: shot.project_id })
  return (
    <li className="shot" data-testid="shot" data-shot={shot.name}>
      <h3>
        {shot.name} <span className="count">{generations.length}</span>
      </h3>
      <ul className="thumbs" aria-label={`Generations in ${shot.name}`}>
        {generations.map((generation) => (
          <li key={generation.id} className="thumb" title={generation.prompt} data-id={generation.id}>
            <span className="art" style={{ background: tileArt(generation.client_request_id ?? generation.id) }} aria-hidden="true" />
            <span className="visually-hidden">{generation.prompt}</span>
            {generation.starred ? <span className="star" aria-label="starred">★</span> : null}
          </li>
        ))}
      </ul>
    </li>
  )
}

/** The project's shots, each with the generations moved into it. */
export function ShotsPanel({ projectId }: { projectId: number }) {
  const { data: shots = [] } = useShotsQuery(projectId)
  return (
    <section className="shots" aria-labelledby="shots-title">
      <h2 id="shots-title">Shots</h2>
      <ul>
        {shots.map((shot) => (
          <ShotView key={shot.id} shot={shot} />
        ))}
      </ul>
    </section>
  )
}
