import type { ChannelConfig } from '../events/port'
import type { PostgresBinding } from '../events/bindings'
import type { SerializableSpec } from './spec'
import { DEFAULT_CHANGE_EVENTS } from './validateChanges'

function bindingKey(binding: PostgresBinding): string {
  return JSON.stringify([binding.event, binding.schema, binding.table ?? '', binding.filter ?? ''])
}

/**
 * The union of several subscribers' specs on one topic: each distinct binding once, in a
 * canonical order, so that equal unions compare equal and cost no rejoin.
 */
export function mergeChannelConfig(specs: Iterable<SerializableSpec>): ChannelConfig {
  const postgres = new Map<string, PostgresBinding>()
  const broadcast = new Set<string>()
  const databaseChanges = new Set<string>()
  let isPrivate = false
  let self = false
  let ack = false
  for (const spec of specs) {
    for (const binding of spec.postgres ?? []) postgres.set(bindingKey(binding), binding)
    for (const event of spec.broadcast ?? []) broadcast.add(event)
    for (const event of spec.changes ? (spec.changes.events ?? DEFAULT_CHANGE_EVENTS) : []) databaseChanges.add(event)
    isPrivate ||= spec.private === true
    self ||= spec.broadcastOptions?.self === true
    ack ||= spec.broadcastOptions?.ack === true
  }
  const sortedKeys = [...postgres.keys()].sort()
  return {
    postgres: sortedKeys.map((key) => postgres.get(key) as PostgresBinding),
    broadcast: [...broadcast].sort(),
    private: isPrivate,
    broadcastOptions: { self, ack },
    ...(databaseChanges.size > 0 ? { databaseChanges: [...databaseChanges].sort() } : {}),
  }
}

/** A stable identity of a channel configuration. */
export function channelConfigKey(config: ChannelConfig): string {
  return JSON.stringify(config)
}
