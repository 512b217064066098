/**
 * `npm run bench` (about 4 minutes on 2 cores) or `npm run bench -- --quick` (under 1.5 minutes,
 * smaller counts and shorter outages: a smoke run that keeps the harness from rotting).
 *
 * Prints every figure beside its baseline and target, and writes them as JSON to
 * bench/results.json (a quick run to bench/results-quick.json; `--out <path>` to write elsewhere). `--only router,memory` runs some
 * sections. Exits non-zero only when the harness itself fails; a missed target is reported,
 * not fatal.
 */
import { startRealtimeEmulator, type RealtimeEmulator } from '../src/testing/index'
import { ITEMS_SQL, runFreshnessBench, warmPostgrest } from './freshness'
import { runFaultFreshness } from './freshnessFaults'
import { runMemoryBench } from './memory'
import { runPatchBench } from './patch'
import { runReplayBench } from './replay'
import { judge, machine, table, writeResults, type BenchResults, type Figure } from './report'
import { runRouterBench } from './router'
import { runScaleBench } from './scale'
import { runStormBench } from './storm'
import { now } from './support'

type Section = 'router' | 'patch' | 'scale' | 'memory' | 'freshness' | 'storm' | 'replay'
const SECTIONS: Section[] = ['router', 'patch', 'scale', 'memory', 'freshness', 'storm', 'replay']
/** Sections that run entirely in process (no emulator to start). */
const IN_PROCESS: Section[] = ['router', 'patch', 'scale']
/** Sections that start an emulator of their own (a schema of their own at its start). */
const OWN_EMULATOR: Section[] = ['replay']

interface Args {
  quick: boolean
  out: string
  only: Section[]
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, out: '', only: SECTIONS }
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] as string
    if (arg === '--quick') args.quick = true
    else if (arg === '--out') args.out = argv[++index] ?? args.out
    else if (arg.startsWith('--only')) {
      const list = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : (argv[++index] ?? '')
      const wanted = list.split(',').filter(Boolean)
      const unknown = wanted.filter((name) => !SECTIONS.includes(name as Section))
      if (unknown.length > 0)
        throw new Error(`bench: unknown section(s) ${unknown.join(', ')}; known: ${SECTIONS.join(', ')}`)
      args.only = wanted as Section[]
    } else throw new Error(`bench: unknown argument ${arg} (use --quick, --out <path>, --only <sections>)`)
  }
  // A quick run never overwrites the figures of the last full run.
  args.out ||= new URL(args.quick ? './results-quick.json' : './results.json', import.meta.url).pathname
  return args
}

/** Freshness with realtime up and blackholed, then through a slow link and a token expiry. */
async function freshnessSection(
  emulator: RealtimeEmulator,
  options: { quick: boolean },
): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  const base = await runFreshnessBench(emulator, options)
  const faulted = await runFaultFreshness(emulator, options)
  return { figures: [...base.figures, ...faulted.figures], details: { ...base.details, ...faulted.details } }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  if (typeof (globalThis as { gc?: unknown }).gc !== 'function')
    throw new Error('bench: run node with --expose-gc (npm run bench does)')
  const startedAt = new Date().toISOString()
  const started = now()
  const figures: Figure[] = []
  const details: Record<string, unknown> = {}
  const sectionDurationsS: Record<string, number> = {}
  const log = (line: string) => process.stdout.write(`[bench] ${line}\n`)
  log(`${args.quick ? 'quick' : 'full'} run: ${args.only.join(', ')}`)

  let emulator: RealtimeEmulator | null = null
  const needsEmulator = args.only.some((section) => !IN_PROCESS.includes(section) && !OWN_EMULATOR.includes(section))
  try {
    if (needsEmulator) {
      const booting = now()
      emulator = await startRealtimeEmulator({ setupSql: ITEMS_SQL })
      await warmPostgrest(emulator)
      sectionDurationsS.emulatorStart = Number(((now() - booting) / 1000).toFixed(1))
      log(`emulator on ${emulator.url} (${sectionDurationsS.emulatorStart} s)`)
    }
    for (const section of args.only) {
      const sectionStarted = now()
      log(`${section}…`)
      const options = { quick: args.quick }
      const result =
        section === 'router'
          ? await runRouterBench(options)
          : section === 'patch'
            ? await runPatchBench(options)
            : section === 'scale'
              ? await runScaleBench(options)
              : section === 'memory'
                ? await runMemoryBench(emulator as RealtimeEmulator, options)
                : section === 'freshness'
                  ? await freshnessSection(emulator as RealtimeEmulator, options)
                  : section === 'storm'
                    ? await runStormBench(emulator as RealtimeEmulator, options)
                    : await runReplayBench(options)
      figures.push(...result.figures.map(judge))
      details[section] = result.details
      sectionDurationsS[section] = Number(((now() - sectionStarted) / 1000).toFixed(1))
      log(`${section} done in ${sectionDurationsS[section]} s`)
    }
  } finally {
    await emulator?.stop()
  }

  const durationS = Number(((now() - started) / 1000).toFixed(1))
  const results: BenchResults = {
    mode: args.quick ? 'quick' : 'full',
    command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
    startedAt,
    durationS,
    sectionDurationsS,
    machine: machine(),
    figures,
    details,
  }
  writeResults(args.out, results)
  process.stdout.write(`\n${table(figures)}\n\n`)
  const missed = figures.filter((figure) => figure.met === false)
  log(
    `${figures.length} figures, ${figures.filter((figure) => figure.met === true).length} targets met, ${missed.length} missed${missed.length > 0 ? `: ${missed.map((figure) => `${figure.section}: ${figure.name}`).join('; ')}` : ''}`,
  )
  log(`finished in ${durationS} s; JSON in ${args.out}`)
}

main().then(
  // Timers that supabase-js leaves behind (a 10 s fallback per disconnect) would keep the process up for nothing.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(1)
  },
)
