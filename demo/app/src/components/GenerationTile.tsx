import { useEffect, useState } from 'react'
import { isPending } from 'rtk-supabase-realtime'
import { useDeleteGenerationMutation, useMoveToShotMutation, useSetStarredMutation } from '../api'
import type { Generation, Shot } from '../model'
import { tileArt } from './tileArt'

const MOVED_NOTICE_MS = 4000

/** One generation: its picture, a star toggle, delete, and move to a shot. A pending placeholder has no actions. */
export function GenerationTile({ generation, shots }: { generation: Generation; shots: Shot[] }) {
  const [setStarred] = useSetStarredMutation()
  const [remove] = useDeleteGenerationMutation()
  const [moveToShot] = useMoveToShotMutation()
  const pending = isPending(generation)
  // Where the tile just went: said on the tile for a few seconds (the shot's card flashes too).
  const [movedTo, setMovedTo] = useState<string | null>(null)
  useEffect(() => {
    if (movedTo === null) return
    const timer = setTimeout(() => setMovedTo(null), MOVED_NOTICE_MS)
    return () => clearTimeout(timer)
  }, [movedTo])
  const move = (shotId: number) => {
    const shot = shots.find((candidate) => candidate.id === shotId)
    moveToShot({ generation, shotId })
      .unwrap()
      .then(
        () => setMovedTo(`Moved to ${shot?.name ?? 'the shot'}`),
        () => setMovedTo('Could not move it'),
      )
  }
  return (
    <li className={pending ? 'tile pending' : 'tile'} data-testid="tile" data-id={generation.id} aria-busy={pending}>
      <div
        className="art"
        style={{ background: tileArt(generation.client_request_id ?? generation.id) }}
        aria-hidden="true"
      />
      <p className="prompt">{generation.prompt}</p>
      {pending ? (
        <p className="status">Rendering…</p>
      ) : (
        <div className="actions">
          <button
            type="button"
            aria-pressed={generation.starred}
            aria-label={`Star “${generation.prompt}”`}
            onClick={() => setStarred({ generation, starred: !generation.starred })}
          >
            {generation.starred ? '★' : '☆'}
          </button>
          <select
            aria-label={`Move “${generation.prompt}” to a shot`}
            value=""
            onChange={(event) => event.target.value && move(Number(event.target.value))}
          >
            <option value="">Shot…</option>
            {shots.map((shot) => (
              <option key={shot.id} value={shot.id}>
                {shot.name}
              </option>
            ))}
          </select>
          <button type="button" aria-label={`Delete “${generation.prompt}”`} onClick={() => remove(generation)}>
            Delete
          </button>
        </div>
      )}
      <p className="moved" role="status">
        {movedTo ? `→ ${movedTo}` : ''}
      </p>
    </li>
  )
}
