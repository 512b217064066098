import { CONTROL_CHARACTER, parseTableName, type TableName, utf8Length } from '../subscription/validateChanges'

/** What {@link broadcastChangesSql} writes the SQL for. */
export interface BroadcastChangesSqlOptions {
  /** The table whose changes are broadcast: `'todos'` (schema `public`) or `'schema.table'`. */
  table: string
  /**
   * The topic each change goes to: a fixed topic (`'todos'`), or a prefix and a column of the
   * row (`{ prefix: 'project:', column: 'project_id' }` sends to `'project:' || project_id` of the
   * new row, and of the old row when that differs: a DELETE goes to the old row's topic, an UPDATE
   * that changes the column to both).
   */
  topic: string | { prefix: string; column: string }
  /**
   * The SELECT policy on `realtime.messages` that lets clients join and receive the topic:
   * `role` (default `authenticated`) and an extra SQL condition `using` ANDed with the topic
   * match, e.g. a membership check on `realtime.topic()`. `false` writes no policy (you have one).
   * Without `using`, every user of the role may read every topic of the pattern: narrow it.
   */
  policy?: false | { role?: string; using?: string }
}

function fail(field: string, problem: string): never {
  throw new TypeError(`broadcastChangesSql(): ${field} ${problem}`)
}

/** A double-quoted SQL identifier. */
function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/**
 * A dollar-quote tag that occurs nowhere in `body`, so no value placed in the body (a topic, a
 * prefix, a column name) can end the quoted function body early: `$rtk$`, else `$rtk1$`, `$rtk2$`, ...
 */
function dollarTag(body: string): string {
  for (let n = 0; ; n += 1) {
    const tag = `$rtk${n === 0 ? '' : n}$`
    if (!body.includes(tag)) return tag
  }
}

/** A single-quoted SQL string literal. */
function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`
}

function refuseControlCharacters(value: string, field: string): string {
  if (CONTROL_CHARACTER.test(value)) fail(field, 'must not contain control characters (line breaks, tabs, NUL)')
  return value
}

function checkName(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '' || utf8Length(value) > 63)
    fail(field, 'must be a non-empty name of at most 63 bytes')
  return refuseControlCharacters(value, field)
}

function splitTable(value: unknown): TableName {
  const table = parseTableName(value)
  if ('problem' in table) fail('table', table.problem)
  return table
}

/** FNV-1a, 32 bits, as 8 hex digits: a short stable mark telling long names apart. */
function hash(text: string): string {
  let h = 0x811c9dc5
  for (const byte of new TextEncoder().encode(text)) h = Math.imul(h ^ byte, 0x01000193) >>> 0
  return h.toString(16).padStart(8, '0')
}

/** The longest start of `text` of at most `bytes` UTF-8 bytes, cut between characters. */
function cutToBytes(text: string, bytes: number): string {
  let cut = ''
  for (const char of text) {
    if (utf8Length(cut + char) > bytes) break
    cut += char
  }
  return cut
}

const POLICY_SUFFIX = ' broadcast changes: read'

/**
 * The policy's name, unique among every policy on `realtime.messages`: the schema and the table,
 * and within Postgres's 63 bytes (a longer one is cut and marked with a hash of the whole).
 */
function policyName(schema: string, name: string): string {
  const qualified = `${schema}.${name}`
  if (utf8Length(qualified + POLICY_SUFFIX) <= 63) return qualified + POLICY_SUFFIX
  const room = 63 - utf8Length(POLICY_SUFFIX) - 9
  return `${cutToBytes(qualified, room)} ${hash(qualified)}${POLICY_SUFFIX}`
}

/** One `realtime.broadcast_changes` call sending the change (NEW and OLD) to `topic`. */
function sendTo(topic: string, indent: string): string {
  const args = [topic, 'tg_op', 'tg_op', 'tg_table_name', 'tg_table_schema', 'new', 'old']
  return `${indent}perform realtime.broadcast_changes(\n${args.map((arg) => `${indent}  ${arg}`).join(',\n')}\n${indent});`
}

/**
 * The trigger function's body, and the topic as a match on `realtime.topic()` for the policy. A
 * topic from a column sends to the new row's topic, and also to the old row's when it differs:
 * an UPDATE moving a row to another topic reaches both, a DELETE goes to the old row's. A row
 * whose column is null has no topic and is not sent there.
 */
function triggerSql(topic: BroadcastChangesSqlOptions['topic']): { body: string; match: string } {
  if (typeof topic === 'string') {
    if (topic.trim() === '') fail('topic', 'must be a non-empty topic or { prefix, column }')
    refuseControlCharacters(topic, 'topic')
    const body = `\nbegin\n${sendTo(literal(topic), '  ')}\n  return null;\nend\n`
    return { body, match: `realtime.topic() = ${literal(topic)}` }
  }
  if (typeof topic !== 'object' || topic === null) fail('topic', 'must be a non-empty topic or { prefix, column }')
  if (typeof topic.prefix !== 'string' || topic.prefix === '')
    fail('topic.prefix', "must be a non-empty string like 'project:'")
  refuseControlCharacters(topic.prefix, 'topic.prefix')
  const column = ident(checkName(topic.column, 'topic.column'))
  const prefix = literal(topic.prefix)
  const body = `
declare
  new_topic text := ${prefix} || new.${column}::text;
  old_topic text := ${prefix} || old.${column}::text;
begin
  if new_topic is not null then
${sendTo('new_topic', '    ')}
  end if;
  if old_topic is not null and old_topic is distinct from new_topic then
${sendTo('old_topic', '    ')}
  end if;
  return null;
end
`
  return { body, match: `starts_with(realtime.topic(), ${prefix})` }
}

function policySql(
  options: BroadcastChangesSqlOptions,
  table: { schema: string; name: string },
  match: string,
): string {
  const policy = options.policy ?? {}
  if (policy === false) return ''
  if (typeof policy !== 'object' || policy === null) fail('policy', 'must be false or { role?, using? }')
  const role = ident(checkName(policy.role ?? 'authenticated', 'policy.role'))
  if (policy.using !== undefined && (typeof policy.using !== 'string' || policy.using.trim() === ''))
    fail('policy.using', 'must be a non-empty SQL condition when given')
  const name = ident(policyName(table.schema, table.name))
  const using = [match, "realtime.messages.extension = 'broadcast'", ...(policy.using ? [`(${policy.using})`] : [])]
  return `
drop policy if exists ${name} on realtime.messages;
create policy ${name} on realtime.messages
  for select to ${role}
  using (${using.join('\n    and ')});
`
}

/**
 * Writes the SQL that sends a table's changes to a private topic by Broadcast from Database: a
 * trigger function calling `realtime.broadcast_changes` (event name `TG_OP`, as
 * `changes: { via: 'broadcast' }` expects by default), the row trigger, and the RLS policy on
 * `realtime.messages` that lets clients receive that topic. Re-runnable (`create or replace`,
 * `drop … if exists`); names are quoted. Put the result in a migration and review it.
 * Bad input throws a `TypeError` naming the field. The CLI prints the same:
 * `rtk-supabase-realtime-emulator broadcast-changes-sql --table todos --topic-prefix project: --topic-column project_id`.
 *
 * @example
 * const migration = broadcastChangesSql({
 *   table: 'generations',
 *   topic: { prefix: 'project:', column: 'project_id' },
 *   policy: { using: "exists (select 1 from members m where 'project:' || m.project_id = realtime.topic() and m.user_id = auth.uid())" },
 * })
 */
export function broadcastChangesSql(options: BroadcastChangesSqlOptions): string {
  if (typeof options !== 'object' || options === null) fail('options', 'must be an object')
  const { schema, name } = splitTable(options.table)
  // Postgres cuts names at 63 bytes: `<table>_broadcast_changes` must stay whole to stay unique.
  if (utf8Length(name) > 45) fail('table', 'must be at most 45 bytes (the trigger and function names add 18)')
  const { body, match } = triggerSql(options.topic)
  const fn = `${ident(schema)}.${ident(`${name}_broadcast_changes`)}`
  const trigger = ident(`${name}_broadcast_changes`)
  const table = `${ident(schema)}.${ident(name)}`
  const tag = dollarTag(body)
  // No name in the comment: only quoted identifiers and literals carry the caller's text.
  return `-- Row changes by Broadcast from Database (realtime.broadcast_changes)
create or replace function ${fn}()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as ${tag}${body}${tag};

drop trigger if exists ${trigger} on ${table};
create trigger ${trigger}
  after insert or update or delete on ${table}
  for each row execute function ${fn}();
${policySql(options, { schema, name }, match)}`
}
