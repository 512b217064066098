import { afterEach, describe, expect, it, vi } from 'vitest'
import { consoleSink, createLogger, silentSink, type LoggerOptions, type LogLevel } from '../../src/env/logger'
import { createSeededRandom, type Random } from '../../src/env/random'

interface Line {
  level: LogLevel
  line: string
  context: Record<string, unknown> | undefined
}

function recordingLogger(options: Partial<LoggerOptions> = {}) {
  const lines: Line[] = []
  const logger = createLogger({
    tag: '[RealtimeCore]',
    level: 'debug',
    sampleRate: 1,
    random: () => {
      throw new Error('random must not be consulted')
    },
    sink: (level, line, context) => lines.push({ level, line, context }),
    ...options,
  })
  return { logger, lines }
}

const fixed =
  (value: number): Random =>
  () =>
    value

afterEach(() => {
  vi.restoreAllMocks()
})

describe('createLogger: tags and levels', () => {
  it('prefixes every line with its tag', () => {
    const { logger, lines } = recordingLogger({ tag: '[InvalidationRouter]' })
    logger.info('routed 3 events')
    expect(lines).toEqual([{ level: 'info', line: '[InvalidationRouter] routed 3 events', context: undefined }])
  })

  it('writes each method at its own level', () => {
    const { logger, lines } = recordingLogger()
    logger.debug('d')
    logger.info('i')
    logger.warn('w')
    logger.error('e')
    expect(lines.map((line) => line.level)).toEqual(['debug', 'info', 'warn', 'error'])
  })

  it.each([
    ['debug', ['debug', 'info', 'warn', 'error']],
    ['info', ['info', 'warn', 'error']],
    ['warn', ['warn', 'error']],
    ['error', ['error']],
  ] as const)('at level %s writes only %j', (level, written) => {
    const { logger, lines } = recordingLogger({ level })
    logger.debug('d')
    logger.info('i')
    logger.warn('w')
    logger.error('e')
    expect(lines.map((line) => line.level)).toEqual(written)
  })

  it('passes context through to the sink', () => {
    const { logger, lines } = recordingLogger()
    logger.warn('channel error', { topic: 'project:1', attempt: 2 })
    expect(lines[0]?.context).toEqual({ topic: 'project:1', attempt: 2 })
  })
})

describe('createLogger: sampling', () => {
  it('never consults the random source at sample rate 1', () => {
    const { logger, lines } = recordingLogger({ sampleRate: 1 })
    logger.info('kept')
    expect(lines).toHaveLength(1)
  })

  it('keeps a line when the random draw falls below the sample rate', () => {
    const { logger, lines } = recordingLogger({ sampleRate: 0.1, random: fixed(0.05) })
    logger.info('kept')
    logger.warn('kept too')
    expect(lines).toHaveLength(2)
  })

  it('drops a line when the random draw is at or above the sample rate', () => {
    const { logger, lines } = recordingLogger({ sampleRate: 0.1, random: fixed(0.1) })
    logger.debug('dropped')
    logger.info('dropped')
    logger.warn('dropped')
    expect(lines).toEqual([])
  })

  it('never samples out an error', () => {
    const { logger, lines } = recordingLogger({ sampleRate: 0, random: fixed(0.999999) })
    logger.error('always written')
    expect(lines).toHaveLength(1)
  })

  it('keeps about sampleRate of the lines with a seeded random (1000 of 4000 at 0.25, ±15%)', () => {
    const { logger, lines } = recordingLogger({ sampleRate: 0.25, random: createSeededRandom(2024) })
    for (let i = 0; i < 4000; i++) logger.info(`line ${i}`)
    expect(lines.length).toBeGreaterThan(850)
    expect(lines.length).toBeLessThan(1150)
  })

  it('drops lines below the level before sampling, without drawing a random number', () => {
    const random = vi.fn(fixed(0))
    const { logger } = recordingLogger({ level: 'warn', sampleRate: 0.5, random })
    logger.debug('filtered')
    logger.info('filtered')
    expect(random).not.toHaveBeenCalled()
  })
})

describe('createLogger: once', () => {
  it('logs only the first line of a kind', () => {
    const { logger, lines } = recordingLogger()
    logger.once('malformed:missing-table', 'warn', 'skipped an event without a table', { topic: 'a' })
    logger.once('malformed:missing-table', 'warn', 'skipped an event without a table', { topic: 'b' })
    logger.once('malformed:missing-table', 'error', 'again')
    expect(lines).toEqual([
      { level: 'warn', line: '[RealtimeCore] skipped an event without a table', context: { topic: 'a' } },
    ])
  })

  it('logs the first line of each distinct kind', () => {
    const { logger, lines } = recordingLogger()
    logger.once('malformed:missing-table', 'warn', 'one')
    logger.once('malformed:huge-payload', 'warn', 'two')
    logger.once('route-threw', 'error', 'three')
    expect(lines.map((line) => line.line)).toEqual(['[RealtimeCore] one', '[RealtimeCore] two', '[RealtimeCore] three'])
  })

  it('does not let once() of a kind suppress ordinary lines', () => {
    const { logger, lines } = recordingLogger()
    logger.once('kind', 'info', 'first')
    logger.info('ordinary')
    logger.info('ordinary')
    expect(lines).toHaveLength(3)
  })

  it('never samples out the one line of a kind, even in production sampling', () => {
    const { logger, lines } = recordingLogger({ sampleRate: 0.1, random: fixed(0.9) })
    logger.once('malformed:unknown-table', 'warn', 'skipped an event for an unknown table')
    logger.once('malformed:unknown-table', 'warn', 'skipped an event for an unknown table')
    expect(lines).toHaveLength(1)
  })

  it('still respects the level for once()', () => {
    const { logger, lines } = recordingLogger({ level: 'warn' })
    logger.once('kind', 'debug', 'below the level')
    expect(lines).toEqual([])
  })

  it('samples kinds beyond the 256 it remembers instead of writing every one of them', () => {
    const { logger, lines } = recordingLogger({ sampleRate: 0.1, random: fixed(0.9) })
    for (let i = 0; i < 256; i++) logger.once(`kind:${i}`, 'warn', `kind ${i}`)
    expect(lines).toHaveLength(256)
    for (let i = 256; i < 300; i++) logger.once(`kind:${i}`, 'warn', `kind ${i}`)
    expect(lines).toHaveLength(256)
  })
})

describe('createLogger: redaction', () => {
  it.each([
    'token',
    'access_token',
    'refreshToken',
    'jwt',
    'apikey',
    'api_key',
    'Authorization',
    'password',
    'secret',
    'clientSecret',
  ])('redacts a context key named %s', (key) => {
    const { logger, lines } = recordingLogger()
    logger.warn('auth', { [key]: 'eyJhbGciOi.secret.value', topic: 'user:1' })
    expect(lines[0]?.context).toEqual({ [key]: '[redacted]', topic: 'user:1' })
    expect(JSON.stringify(lines)).not.toContain('eyJhbGciOi')
  })

  it('keeps ordinary context keys', () => {
    const { logger, lines } = recordingLogger()
    logger.info('joined', { topic: 'project:1', status: 'SUBSCRIBED', attempt: 0 })
    expect(lines[0]?.context).toEqual({ topic: 'project:1', status: 'SUBSCRIBED', attempt: 0 })
  })

  it('redacts errors and once() lines too', () => {
    const { logger, lines } = recordingLogger()
    logger.error('refused', { jwt: 'abc' })
    logger.once('kind', 'warn', 'refused', { password: 'hunter2' })
    expect(lines.map((line) => line.context)).toEqual([{ jwt: '[redacted]' }, { password: '[redacted]' }])
  })

  it('does not change the caller’s context object', () => {
    const { logger } = recordingLogger()
    const context = { token: 'abc' }
    logger.warn('auth', context)
    expect(context).toEqual({ token: 'abc' })
  })
})

describe('sinks', () => {
  it.each(['debug', 'info', 'warn', 'error'] as const)('consoleSink writes %s lines to console.%s', (level) => {
    const spy = vi.spyOn(console, level).mockImplementation(() => undefined)
    consoleSink(level, '[RealtimeCore] hi')
    consoleSink(level, '[RealtimeCore] with context', { topic: 'a' })
    expect(spy.mock.calls).toEqual([['[RealtimeCore] hi'], ['[RealtimeCore] with context', { topic: 'a' }]])
  })

  it('silentSink writes nothing to the console', () => {
    const spies = (['debug', 'info', 'warn', 'error', 'log'] as const).map((method) =>
      vi.spyOn(console, method).mockImplementation(() => undefined),
    )
    silentSink('error', 'nothing')
    for (const spy of spies) expect(spy).not.toHaveBeenCalled()
  })
})
