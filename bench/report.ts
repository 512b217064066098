/**
 * One figure per line, beside its baseline and its target: printed as a table and written
 * as JSON (`bench/results.json`).
 */
import { writeFileSync } from 'node:fs'
import os from 'node:os'

export type Comparison = '<=' | '>=' | '<' | '>' | '=='

export interface Figure {
  section: 'router' | 'freshness' | 'storm' | 'memory' | 'patch' | 'scale' | 'replay'
  name: string
  /** A yes/no figure is 1 or 0, with `format: 'boolean'`. */
  value: number
  unit: string
  /** `boolean`: value, baseline and target print as true/false. */
  format?: 'boolean'
  /** What the same figure is without this library (or the other variant), when there is one. */
  baseline?: { label: string; value: number }
  /** The number to beat; `ratioToBaseline` compares baseline / value instead of value. */
  target?: { op: Comparison; value: number; ratioToBaseline?: boolean }
  /** Filled in by `judge`. */
  met?: boolean
}

export interface BenchResults {
  mode: 'full' | 'quick'
  command: string
  startedAt: string
  durationS: number
  sectionDurationsS: Record<string, number>
  machine: Record<string, string | number>
  figures: Figure[]
  details: Record<string, unknown>
}

function holds(value: number, op: Comparison, target: number): boolean {
  if (!Number.isFinite(value)) return false
  switch (op) {
    case '<=':
      return value <= target
    case '>=':
      return value >= target
    case '<':
      return value < target
    case '>':
      return value > target
    case '==':
      return value === target
  }
}

export function judge(figure: Figure): Figure {
  if (!figure.target) return figure
  const measured = figure.target.ratioToBaseline
    ? figure.baseline
      ? figure.baseline.value / figure.value
      : Number.NaN
    : figure.value
  return { ...figure, met: holds(measured, figure.target.op, figure.target.value) }
}

export function machine(): Record<string, string | number> {
  const cpus = os.cpus()
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  }
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'n/a' : value > 0 ? '∞' : '-∞'
  const abs = Math.abs(value)
  const digits = abs >= 100 || Number.isInteger(value) ? 0 : abs >= 10 ? 1 : 2
  return value.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: digits })
}

/** A figure's number as printed: true/false for a boolean figure. */
function valueText(figure: Figure, value: number): string {
  return figure.format === 'boolean' ? String(value !== 0) : formatNumber(value)
}

function targetText(figure: Figure): string {
  if (!figure.target) return ''
  const { op, value, ratioToBaseline } = figure.target
  return ratioToBaseline ? `baseline/value ${op} ${formatNumber(value)}` : `${op} ${valueText(figure, value)}`
}

function resultText(figure: Figure): string {
  if (figure.met === undefined) return ''
  return figure.met ? 'met' : 'MISSED'
}

/** The figures as a fixed-width text table. */
export function table(figures: readonly Figure[]): string {
  const header = ['Figure', 'Value', 'Baseline', 'Target', 'Result']
  const rows = figures.map((figure) => [
    `${figure.section}: ${figure.name}`,
    `${valueText(figure, figure.value)} ${figure.unit}`.trim(),
    figure.baseline ? `${valueText(figure, figure.baseline.value)} (${figure.baseline.label})` : '',
    targetText(figure),
    resultText(figure),
  ])
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] as string).length)),
  )
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column] as number)).join(' | ')
  return [line(header), widths.map((width) => '-'.repeat(width)).join('-|-'), ...rows.map(line)].join('\n')
}

export function writeResults(path: string, results: BenchResults): void {
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`)
}
