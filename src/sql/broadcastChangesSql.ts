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

/** C0 and C1 control characters and DEL: a line break would end a `--` comment, NUL ends a string. */
// eslint-disable-next-line no-control-regex -- finding them is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/

function refuseControlCharacters(value: string, field: string): string {
  if (CONTROL_CHARACTER.test(value)) fail(field, 'must not contain control characters (line breaks, tabs, NUL)')
  return value
}

function checkName(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > 63)
    fail(field, 'must be a non-empty name of at most 63 characters')
  return refuseControlCharacters(value, field)
}

/** `'todos'` is `public.todos`; `'schema.table'` names both. */
function splitTable(table: unknown): { schema: string; name: string } {
  if (typeof table !== 'string') fail('table', "must be a table name like 'todos' or 'schema.table'")
  const dot = table.indexOf('.')
  if (dot === -1) return { schema: 'public', name: checkName(table, 'table') }
  return {
    schema: checkName(table.slice(0, dot), 'table (its schema)'),
    name: checkName(table.slice(dot + 1), 'table'),
  }
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

function policySql(options: BroadcastChangesSqlOptions, tableName: string, match: string): string {
  const policy = options.policy ?? {}
  if (policy === false) return ''
  if (typeof policy !== 'object' || policy === null) fail('policy', 'must be false or { role?, using? }')
  const role = ident(checkName(policy.role ?? 'authenticated', 'policy.role'))
  if (policy.using !== undefined && (typeof policy.using !== 'string' || policy.using.trim() === ''))
    fail('policy.using', 'must be a non-empty SQL condition when given')
  const name = ident(`${tableName} broadcast changes: read`)
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
  if (name.length > 45) fail('table', 'must be at most 45 characters (the trigger and function names add 18)')
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
${policySql(options, name, match)}`
}
