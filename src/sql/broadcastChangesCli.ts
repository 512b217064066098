import { parseArgs } from 'node:util'
import { broadcastChangesSql, type BroadcastChangesSqlOptions } from './broadcastChangesSql'

/** The subcommand's name on the `rtk-supabase-realtime-emulator` command line. */
export const BROADCAST_CHANGES_SQL_COMMAND = 'broadcast-changes-sql'

const USAGE = `Usage: rtk-supabase-realtime-emulator broadcast-changes-sql --table <name> (--topic <topic> | --topic-prefix <p> --topic-column <c>) [options]

Prints the SQL of a migration that sends the table's row changes to a private topic by
Broadcast from Database: the trigger function calling realtime.broadcast_changes, the
trigger, and the SELECT policy on realtime.messages for the topic. Review it before applying.

Options:
  --table <name>         the table: todos (schema public) or schema.table
  --topic <topic>        every change goes to this topic
  --topic-prefix <p>     the topic is <p> followed by a column of the row, e.g. project:
  --topic-column <c>     that column, e.g. project_id
  --role <role>          the role the policy lets read (default: authenticated)
  --using <sql>          an extra condition of the policy (narrow who reads which topic)
  --no-policy            write no policy (you have your own)
  -h, --help             show this help`

function optionsOf(argv: string[]): BroadcastChangesSqlOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      table: { type: 'string' },
      topic: { type: 'string' },
      'topic-prefix': { type: 'string' },
      'topic-column': { type: 'string' },
      role: { type: 'string' },
      using: { type: 'string' },
      'no-policy': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) return 'help'
  if (values.table === undefined) throw new TypeError('--table is required')
  const prefix = values['topic-prefix']
  const column = values['topic-column']
  if ((values.topic === undefined) === (prefix === undefined && column === undefined))
    throw new TypeError('give either --topic, or --topic-prefix with --topic-column')
  if (values.topic === undefined && (prefix === undefined || column === undefined))
    throw new TypeError('--topic-prefix and --topic-column go together')
  const topic = values.topic ?? { prefix: prefix as string, column: column as string }
  const policy = values['no-policy']
    ? false
    : {
        ...(values.role === undefined ? {} : { role: values.role }),
        ...(values.using === undefined ? {} : { using: values.using }),
      }
  return { table: values.table, topic, policy }
}

/**
 * `rtk-supabase-realtime-emulator broadcast-changes-sql …`: prints {@link broadcastChangesSql}'s
 * SQL. Resolves with the exit code: 0, or 2 for bad arguments (the reason and the usage on stderr).
 *
 * @example
 * await runBroadcastChangesSqlCli(['--table', 'todos', '--topic', 'todos'], { out: console.log, err: console.error })
 */
export function runBroadcastChangesSqlCli(
  argv: string[],
  io: { out(text: string): void; err(text: string): void },
): number {
  try {
    const options = optionsOf(argv)
    io.out(options === 'help' ? USAGE : broadcastChangesSql(options))
    return 0
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`)
    return 2
  }
}
