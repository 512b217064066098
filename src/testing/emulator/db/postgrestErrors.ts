// PostgREST-shaped errors: `{ code, message, details, hint }` with PostgREST's HTTP statuses.

/** An error answered to the client as PostgREST would answer it. */
export class PostgrestHttpError extends Error {
  readonly status: number
  readonly code: string
  readonly details: string | null
  readonly hint: string | null
  readonly headers: Record<string, string>

  constructor(
    status: number,
    code: string,
    message: string,
    extra: { details?: string | null; hint?: string | null; headers?: Record<string, string> } = {},
  ) {
    super(message)
    this.name = 'PostgrestHttpError'
    this.status = status
    this.code = code
    this.details = extra.details ?? null
    this.hint = extra.hint ?? null
    this.headers = extra.headers ?? {}
  }

  body(): { code: string; message: string; details: string | null; hint: string | null } {
    return { code: this.code, message: this.message, details: this.details, hint: this.hint }
  }
}

/** A request the emulator cannot parse or does not support (PostgREST's PGRST100). */
export function parseError(message: string, details?: string): PostgrestHttpError {
  return new PostgrestHttpError(400, 'PGRST100', message, { details: details ?? null })
}

/** A table (or view) `public` does not have: 404 PGRST205. */
export function unknownTable(schema: string, table: string): PostgrestHttpError {
  return new PostgrestHttpError(404, 'PGRST205', `Could not find the table '${schema}.${table}' in the schema cache`)
}

/** A filter, select or order on a column the table does not have: 400 42703. */
export function unknownColumn(table: string, column: string): PostgrestHttpError {
  return new PostgrestHttpError(400, '42703', `column ${table}.${column} does not exist`)
}

/** A body key that is not a column of the table: 400 PGRST204. */
export function unknownPayloadColumn(table: string, column: string): PostgrestHttpError {
  return new PostgrestHttpError(
    400,
    'PGRST204',
    `Could not find the '${column}' column of '${table}' in the schema cache`,
  )
}

/** `.single()` (Accept: application/vnd.pgrst.object+json) with other than exactly one row. */
export function notOneRow(count: number): PostgrestHttpError {
  return new PostgrestHttpError(406, 'PGRST116', 'JSON object requested, multiple (or no) rows returned', {
    details: `The result contains ${count} rows`,
  })
}

/** A refused JWT or API key: 401 with a `WWW-Authenticate` header, as PostgREST answers. */
export function unauthorized(code: string, message: string, hint: string | null = null): PostgrestHttpError {
  const description = message.replace(/"/g, "'")
  return new PostgrestHttpError(401, code, message, {
    hint,
    headers: { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${description}"` },
  })
}

interface DatabaseError {
  code?: string
  severity?: string
  detail?: string
  hint?: string
}

function isDatabaseError(error: unknown): error is DatabaseError & Error {
  // pg's DatabaseError: an error Postgres reported (a SQLSTATE and a severity).
  const { code, severity } = error as DatabaseError
  return (
    error instanceof Error && typeof severity === 'string' && typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)
  )
}

/** HTTP status PostgREST uses for a Postgres SQLSTATE. */
export function statusForSqlState(code: string, role: string): number {
  if (code === '42501') return role === 'anon' ? 401 : 403
  if (['23505', '23503', '40001', '40P01', '25006'].includes(code)) return code === '25006' ? 405 : 409
  if (code === '42P01' || code === '42883') return 404
  if (code.startsWith('08') || code.startsWith('53') || code === '57P01') return 503
  if (code.startsWith('XX') || code.startsWith('58') || code === '57014') return 500
  return 400
}

/** Maps anything thrown while answering to a {@link PostgrestHttpError}. */
export function toHttpError(error: unknown, role: string): PostgrestHttpError {
  if (error instanceof PostgrestHttpError) return error
  if (isDatabaseError(error)) {
    const code = error.code as string
    return new PostgrestHttpError(statusForSqlState(code, role), code, error.message, {
      details: error.detail ?? null,
      hint: error.hint ?? null,
    })
  }
  return new PostgrestHttpError(500, 'PGRST000', 'Internal error in the emulator', {
    details: error instanceof Error ? error.message : null,
  })
}
