import { parseFilter } from './filterGrammar'
import { validateChanges } from './validateChanges'
import type { PostgresBinding } from '../events/bindings'
import type { SerializableSpec, SubscriptionSpec } from './spec'

const EVENTS = new Set(['*', 'INSERT', 'UPDATE', 'DELETE'])
/** Topics key plain objects in the store; these names would reach Object.prototype. */
const RESERVED_TOPICS = new Set(['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf'])

function fail(path: string, problem: string): never {
  throw new TypeError(`subscribe(): ${path} ${problem}`)
}

function validateBinding(binding: unknown, path: string): PostgresBinding {
  if (typeof binding !== 'object' || binding === null) fail(path, 'must be an object')
  const { event, schema, table, filter } = binding as Record<string, unknown>
  if (typeof event !== 'string' || !EVENTS.has(event))
    fail(`${path}.event`, "must be '*', 'INSERT', 'UPDATE' or 'DELETE'")
  if (typeof schema !== 'string' || schema === '') fail(`${path}.schema`, 'must be a non-empty string')
  if (table !== undefined && (typeof table !== 'string' || table === ''))
    fail(`${path}.table`, 'must be a non-empty string when given')
  if (filter !== undefined) {
    if (typeof filter !== 'string') fail(`${path}.filter`, 'must be a string like column=op.value')
    const parsed = parseFilter(filter)
    if (!parsed.ok) fail(`${path}.filter`, `is refused by the Realtime server (${parsed.error})`)
    if (table === undefined) fail(`${path}.filter`, 'needs a table')
  }
  return {
    event: event as PostgresBinding['event'],
    schema,
    ...(table === undefined ? {} : { table: table as string }),
    ...(filter === undefined ? {} : { filter: filter as string }),
  }
}

function validateTags(tags: unknown): NonNullable<SerializableSpec['tags']> {
  if (!Array.isArray(tags)) fail('tags', 'must be an array of tags')
  return tags.map((tag, index) => {
    if (typeof tag === 'string' && tag !== '') return tag
    if (typeof tag === 'object' && tag !== null && typeof (tag as { type?: unknown }).type === 'string') {
      const id = (tag as { id?: unknown }).id
      if (id === undefined || typeof id === 'string' || typeof id === 'number')
        return tag as { type: string; id?: string | number }
      fail(`tags[${index}].id`, 'must be a string or a number')
    }
    fail(`tags[${index}]`, 'must be a tag type string or { type, id? }')
  })
}

/**
 * Checks a spec and returns its serializable, normalised part. Every problem throws a
 * `TypeError` naming the field, at the call site, before anything is dispatched.
 *
 * @example
 * validateSpec({ topic: 'project:1', broadcast: ['GENERATIONS_UPDATED'] })
 */
export function validateSpec(spec: SubscriptionSpec): SerializableSpec {
  if (typeof spec !== 'object' || spec === null) throw new TypeError('subscribe(): spec must be an object')
  const { topic, postgres, broadcast, tags, broadcastOptions, onMessage } = spec
  if (typeof topic !== 'string' || topic.trim() === '') fail('topic', 'must be a non-empty string')
  if (topic.startsWith('realtime:')) fail('topic', "must not start with 'realtime:' (supabase-js adds it)")
  if (RESERVED_TOPICS.has(topic)) fail('topic', `must not be ${JSON.stringify(topic)} (a reserved object key)`)
  if (postgres !== undefined && !Array.isArray(postgres)) fail('postgres', 'must be an array of bindings')
  if (
    broadcast !== undefined &&
    (!Array.isArray(broadcast) || broadcast.some((name) => typeof name !== 'string' || name === ''))
  ) {
    fail('broadcast', 'must be an array of non-empty event names')
  }
  if (spec.private !== undefined && typeof spec.private !== 'boolean') fail('private', 'must be a boolean')
  if (onMessage !== undefined && typeof onMessage !== 'function') fail('onMessage', 'must be a function')
  if (broadcastOptions !== undefined) {
    if (typeof broadcastOptions !== 'object' || broadcastOptions === null) fail('broadcastOptions', 'must be an object')
    for (const key of ['self', 'ack'] as const) {
      if (broadcastOptions[key] !== undefined && typeof broadcastOptions[key] !== 'boolean')
        fail(`broadcastOptions.${key}`, 'must be a boolean')
    }
  }
  const changes = spec.changes === undefined ? undefined : validateChanges(spec.changes, spec.private === true)
  return {
    topic,
    ...(changes ? { changes } : {}),
    postgres: (postgres ?? []).map((binding, index) => validateBinding(binding, `postgres[${index}]`)),
    broadcast: [...(broadcast ?? [])],
    tags: tags === undefined ? [] : validateTags(tags),
    private: spec.private ?? false,
    broadcastOptions: { self: broadcastOptions?.self ?? false, ack: broadcastOptions?.ack ?? false },
  }
}
