import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Pool, PoolClient } from 'pg'
import { systemClock, type Clock } from '../../env/clock'
import type { Logger } from '../../env/logger'
import { loadPg } from './db/modules'
import { notOneRow, PostgrestHttpError, toHttpError, unknownTable } from './db/postgrestErrors'
import { answerPreflight, authenticate, checkProfile, negotiate, readJsonBody, send } from './db/postgrestHttp'
import { IDENTIFIER, orderClause, pageClause, Params, qualified, selectList, whereClause } from './db/postgrestQuery'
import { deleteStatement, insertStatement, parsePrefer, updateStatement, type Preferences } from './db/postgrestWrite'
import { createSchemaCache, type SchemaCache, type TableInfo } from './db/schemaCache'
import type { JwtClaims } from './types'

export interface PostgrestHandlerOptions {
  databaseUrl: string
  /** HS256 secret of the API keys and user tokens. */
  jwtSecret: string
  clock?: Clock
  logger?: Logger
}

/** A mountable PostgREST subset: `handle` answers `/rest/v1/*` and returns false for anything else. */
export interface PostgrestHandler {
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>
  /** Closes the connection pool (idempotent). */
  close(): Promise<void>
}

const PREFIX = '/rest/v1'
const SCHEMA = 'public'
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'])

interface Request {
  method: string
  table: string
  search: URLSearchParams
  body: unknown
  prefer: Preferences
  claims: JwtClaims
  object: boolean
  stripNulls: boolean
}

interface Outcome {
  status: number
  body?: string
  headers: Record<string, string>
}

function contentRange(offset: number, rows: number, total: number | undefined): string {
  const size = total === undefined ? '*' : String(total)
  return rows > 0 ? `${offset}-${offset + rows - 1}/${size}` : `*/${size}`
}

async function execute(client: PoolClient, table: TableInfo, request: Request): Promise<Outcome> {
  const { method, search, prefer } = request
  const params = new Params()
  const projection = selectList(table, search.get('select'))
  const read = method === 'GET' || method === 'HEAD'
  let source: string
  let prefix = ''
  let offset = 0
  if (read) {
    const page = pageClause(search, params)
    offset = page.offset
    const where = whereClause(table, search, params)
    source = `SELECT ${projection} FROM ${qualified(table)} ${where} ${orderClause(table, search.get('order'))} ${page.sql}`
  } else {
    const statement =
      method === 'POST'
        ? insertStatement(table, request.body, search, prefer, params)
        : method === 'PATCH'
          ? updateStatement(table, request.body, search, params)
          : deleteStatement(table, search, params)
    // A data-modifying CTE must be at the top level.
    prefix = `WITH _m AS (${statement}) `
    source = `SELECT ${projection} FROM _m`
  }
  const json = (expression: string) => (request.stripNulls ? `json_strip_nulls(${expression})` : expression)
  const result = await client.query<{ body: string; first: string | null; n: number }>(
    `${prefix}SELECT (${json(`coalesce(json_agg(_r), '[]')`)})::text AS body, (${json('json_agg(_r)->0')})::text AS first, count(*)::int AS n FROM (${source}) _r`,
    params.values,
  )
  const row = result.rows[0] ?? { body: '[]', first: null, n: 0 }
  if (request.object && row.n !== 1) throw notOneRow(row.n)
  let total: number | undefined
  if (prefer.count && read) {
    const countParams = new Params()
    const where = whereClause(table, search, countParams)
    total = (
      await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${qualified(table)} ${where}`,
        countParams.values,
      )
    ).rows[0]?.n
  } else if (prefer.count) total = row.n
  const body = request.object ? (row.first ?? 'null') : row.body
  const headers: Record<string, string> = { 'Content-Range': contentRange(offset, read ? row.n : 0, total) }
  if (request.object) headers['Content-Type'] = 'application/vnd.pgrst.object+json; charset=utf-8'
  if (read) return { status: 200, body, headers }
  const status = method === 'POST' ? 201 : prefer.returnRepresentation ? 200 : 204
  if (prefer.returnRepresentation) headers['Preference-Applied'] = 'return=representation'
  return { status, body: prefer.returnRepresentation ? body : undefined, headers }
}

type RoleExists = (client: PoolClient, role: string) => Promise<boolean>

/** The pool of a handler, opened on first use; once closed it refuses with 503. */
interface Connection {
  connect(): Promise<{ pool: Pool; schema: SchemaCache }>
  close(): Promise<void>
}

/** @internal Opens the pool and its schema cache lazily; `close` ends the pool (idempotent). */
function createConnection(databaseUrl: string, logger: Logger | undefined): Connection {
  let state: Promise<{ pool: Pool; schema: SchemaCache }> | undefined
  let closed = false
  return {
    connect() {
      if (closed) throw new PostgrestHttpError(503, 'PGRST001', 'The emulator is shutting down')
      state ??= loadPg().then((pg) => {
        const pool = new pg.Pool({ connectionString: databaseUrl, max: 5, options: '-c TimeZone=UTC' })
        pool.on('error', (error) => logger?.debug('postgrest: idle connection lost', { error: error.message }))
        return { pool, schema: createSchemaCache(pool, SCHEMA) }
      })
      return state
    },
    async close() {
      closed = true
      const current = state
      state = undefined
      if (current) await (await current).pool.end().catch(() => undefined)
    },
  }
}

/**
 * Whether the database has a role, remembered per role (a failed look-up is asked again). Asked
 * on the client the request already holds: a second pool checkout could deadlock a full pool.
 *
 * @internal
 */
function createRoleLookup(): RoleExists {
  const roles = new Map<string, Promise<boolean>>()
  return (client, role) => {
    let known = roles.get(role)
    if (!known) {
      known = client
        .query<{ found: boolean }>('select exists(select 1 from pg_roles where rolname = $1) as found', [role])
        .then((r) => r.rows[0]?.found === true)
      known.catch(() => roles.delete(role))
      roles.set(role, known)
    }
    return known
  }
}

/** @internal Opens the request's transaction with its claims and method set and, when the role exists, its role. */
async function beginRequest(client: PoolClient, request: Request, roleExists: RoleExists): Promise<void> {
  const role = request.claims.role as string
  await client.query('BEGIN')
  await client.query(`select set_config('request.jwt.claims', $1, true), set_config('request.method', $2, true)`, [
    JSON.stringify(request.claims),
    request.method,
  ])
  if (IDENTIFIER.test(role) && (await roleExists(client, role))) await client.query(`SET LOCAL ROLE "${role}"`)
}

/** @internal A column or table the schema cache does not know yet (or any more). */
function isStaleSchema(error: unknown): boolean {
  const code = error instanceof PostgrestHttpError ? error.code : (error as { code?: string }).code
  return code === '42703' || code === 'PGRST204' || code === '42P01'
}

/**
 * Runs one request in a transaction on a client of its own; a stale schema cache is refreshed
 * and the request tried once more.
 *
 * @internal
 */
async function runRequest(
  connection: Connection,
  roleExists: RoleExists,
  request: Request,
  logger: Logger | undefined,
): Promise<Outcome> {
  const { pool, schema } = await connection.connect()
  for (let attempt = 1; ; attempt += 1) {
    const table = await schema.table(request.table)
    if (!table) throw unknownTable(SCHEMA, request.table)
    const client = await pool.connect()
    // A checked-out client has no pool listener: without this, a shutdown mid-request would crash the process.
    const onClientError = (error: Error) =>
      logger?.debug('postgrest: connection lost mid-request', { error: error.message })
    client.on('error', onClientError)
    try {
      await beginRequest(client, request, roleExists)
      const outcome = await execute(client, table, request)
      await client.query(request.prefer.rollback ? 'ROLLBACK' : 'COMMIT')
      return outcome
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined)
      // A column or table this cache does not know yet (or any more): look it up again once.
      if (attempt === 1 && isStaleSchema(error)) {
        schema.forget(request.table)
        continue
      }
      throw error
    } finally {
      client.off('error', onClientError)
      client.release()
    }
  }
}

/**
 * Reads an authenticated `/rest/v1/<table>` request: method, profile, content negotiation, table
 * name, JSON body (POST and PATCH) and `Prefer`; throws the PostgREST error of the first problem.
 *
 * @internal
 */
async function readRequest(req: IncomingMessage, url: URL, method: string, claims: JwtClaims): Promise<Request> {
  if (!METHODS.has(method)) throw new PostgrestHttpError(405, 'PGRST117', `Unsupported HTTP method: ${method}`)
  checkProfile(req, SCHEMA)
  const { object, stripNulls } = negotiate(req)
  const table = url.pathname.slice(PREFIX.length + 1)
  if (!IDENTIFIER.test(table)) throw unknownTable(SCHEMA, table) // also rpc/…, nested paths, %-encoded names
  const body = method === 'POST' || method === 'PATCH' ? await readJsonBody(req) : undefined
  const prefer = parsePrefer(req.headers.prefer)
  return { method, table, search: url.searchParams, body, prefer, claims, object, stripNulls }
}

/** @internal Logs a failed request (a warning from 500 on) and answers with its PostgREST error unless already answering. */
function answerFailure(
  res: ServerResponse,
  error: unknown,
  context: { role: string; method: string; logger: Logger | undefined },
): void {
  const { role, method, logger } = context
  const failure = toHttpError(error, role)
  if (failure.status >= 500)
    logger?.warn('postgrest: request failed', { method, status: failure.status, code: failure.code })
  else logger?.debug('postgrest: request refused', { method, status: failure.status, code: failure.code })
  if (!res.headersSent) send(res, failure.status, JSON.stringify(failure.body()), failure.headers, method === 'HEAD')
  else res.end()
}

/**
 * Creates the emulator's PostgREST subset over a `pg` pool: `GET`/`HEAD` (select with `eq`,
 * `neq`, `gt`, `gte`, `lt`, `lte`, `like`, `ilike`, `is`, `in`, `not.`, `order`, `limit`,
 * `offset`, `Prefer: count=exact`), `POST` (insert, upsert with `on_conflict` and
 * `resolution=merge-duplicates|ignore-duplicates`), `PATCH` (update), `DELETE`, each with
 * `Prefer: return=representation|minimal`, `.single()` via `Accept: application/vnd.pgrst.object+json`
 * (406 unless exactly one row; a write is then rolled back). Every request needs an API key or
 * bearer JWT signed with `jwtSecret`; tables and columns must exist in `public`; values are
 * always bound parameters. Each request runs in a transaction with `request.jwt.claims` set
 * and, when the database has the token's role, `SET LOCAL ROLE` (so RLS applies on a
 * Supabase-like database; the embedded Postgres has no such roles and runs as its superuser).
 */
export function createPostgrestHandler(options: PostgrestHandlerOptions): PostgrestHandler {
  const { databaseUrl, jwtSecret, clock = systemClock, logger } = options
  const connection = createConnection(databaseUrl, logger)
  const roleExists = createRoleLookup()

  return {
    async handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      if (url.pathname !== PREFIX && !url.pathname.startsWith(`${PREFIX}/`)) return false
      const method = (req.method ?? 'GET').toUpperCase()
      if (method === 'OPTIONS') {
        answerPreflight(req, res)
        return true
      }
      let role = 'anon'
      try {
        const claims = authenticate(req, url.searchParams, jwtSecret, clock.now())
        role = claims.role as string
        const request = await readRequest(req, url, method, claims)
        const outcome = await runRequest(connection, roleExists, request, logger)
        send(res, outcome.status, outcome.body, outcome.headers, method === 'HEAD')
        logger?.debug('postgrest', { method, table: request.table, status: outcome.status })
      } catch (error) {
        answerFailure(res, error, { role, method, logger })
      }
      return true
    },
    close: () => connection.close(),
  }
}
