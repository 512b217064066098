import { useState, type FormEvent } from 'react'
import { addPlaceholder } from 'rtk-supabase-realtime'
import { api, useEnqueueTaskMutation } from '../api'
import { useAppDispatch } from '../hooks'
import type { Generation } from '../model'

const PROMPTS = [
  'a paper boat on a puddle',
  'a robot watering plants',
  'a city under snow',
  'a whale above the clouds',
  'a tea house at night',
]

/** Enqueues a task; a pending tile appears at once and becomes the real generation when the worker finishes. */
export function GenerateForm({ projectId }: { projectId: number }) {
  const dispatch = useAppDispatch()
  const [enqueue] = useEnqueueTaskMutation()
  const [prompt, setPrompt] = useState('')

  async function generate(event: FormEvent) {
    event.preventDefault()
    const text = prompt.trim() || PROMPTS[Math.floor(Math.random() * PROMPTS.length)]!
    const clientRequestId = crypto.randomUUID()
    const now = new Date().toISOString()
    const item: Generation = {
      id: clientRequestId,
      project_id: projectId,
      prompt: text,
      image_url: null,
      starred: false,
      client_request_id: clientRequestId,
      created_at: now,
      updated_at: now,
    }
    // Pending until the worker's generation row (carrying the same client_request_id) arrives.
    const placeholder = dispatch(
      addPlaceholder(api, 'projectGenerations', projectId, item, {
        id: clientRequestId,
        requestIdKey: 'client_request_id',
        ttlMs: 60_000,
      }),
    )
    setPrompt('')
    const result = await enqueue({ projectId, prompt: text, clientRequestId })
    // Queued: the tile stays pending until the worker's row arrives. Refused: it goes away.
    if ('error' in result) placeholder.rollback()
    else placeholder.confirm()
  }

  return (
    <form className="generate" onSubmit={generate}>
      <label className="visually-hidden" htmlFor="prompt">
        Prompt
      </label>
      <input
        id="prompt"
        value={prompt}
        placeholder="Describe an image…"
        onChange={(event) => setPrompt(event.target.value)}
      />
      <button type="submit">Generate</button>
    </form>
  )
}
