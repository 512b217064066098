import { useEffect, useRef, useState } from 'react'
import { useShotGenerationsQuery, useShotsQuery } from '../api'
import type { Shot } from '../model'
import { tileArt } from './tileArt'

function ShotView({ shot }: { shot: Shot }) {
  const { data: generations = [] } = useShotGenerationsQuery({ shotId: shot.id, projectId: shot.project_id })
  // A generation arriving in the shot flashes its card: the sign of where a moved tile went.
  const count = useRef<number | null>(null)
  const [flash, setFlash] = useState(false)
  useEffect(() => {
    const grew = count.current !== null && generations.length > count.current
    count.current = generations.length
    if (!grew) return
    setFlash(true)
    const timer = setTimeout(() => setFlash(false), 1500)
    return () => clearTimeout(timer)
  }, [generations.length])
  return (
    <li className={flash ? 'shot flash' : 'shot'} data-testid="shot" data-shot={shot.name}>
      <h3>
        {shot.name} <span className="count">{generations.length}</span>
      </h3>
      <ul className="thumbs" aria-label={`Generations in ${shot.name}`}>
        {generations.map((generation) => (
          <li key={generation.id} className="thumb" title={generation.prompt} data-id={generation.id}>
            <span
              className="art"
              style={{ background: tileArt(generation.client_request_id ?? generation.id) }}
              aria-hidden="true"
            />
            <span className="label">{generation.prompt}</span>
            {generation.starred ? (
              <span className="star" aria-label="starred">
                ★
              </span>
            ) : null}
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
