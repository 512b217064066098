import { isPending } from 'rtk-supabase-realtime'
import { useDeleteGenerationMutation, useMoveToShotMutation, useSetStarredMutation } from '../api'
import type { Generation, Shot } from '../model'
import { tileArt } from './tileArt'

/** One generation: its picture, a star toggle, delete, and move to a shot. A pending placeholder has no actions. */
export function GenerationTile({ generation, shots }: { generation: Generation; shots: Shot[] }) {
  const [setStarred] = useSetStarredMutation()
  const [remove] = useDeleteGenerationMutation()
  const [moveToShot] = useMoveToShotMutation()
  const pending = isPending(generation)
  return (
    <li className={pending ? 'tile pending' : 'tile'} data-testid="tile" data-id={generation.id} aria-busy={pending}>
      <div className="art" style={{ background: tileArt(generation.client_request_id ?? generation.id) }} aria-hidden="true" />
      <p className="prompt">{generation.prompt}</p>
      {pending ? (
        <p className="status">Rendering…</p>
      ) : (
        <div className="actions">
          <button type="button" aria-pressed={generation.starred} aria-label={`Star “${generation.prompt}”`} onClick={() => setStarred({ generation, starred: !generation.starred })}>
            {generation.starred ? '★' : '☆'}
          </button>
          <select aria-label={`Move “${generation.prompt}” to a shot`} value="" onChange={(event) => event.target.value && moveToShot({ generation, shotId: Number(event.target.value) })}>
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
    </li>
  )
}
