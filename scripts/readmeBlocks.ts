import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Writes every ```ts and ```tsx block of a Markdown file to its own module, so the README's code
 * is type-checked like an app's: `readme-<n>.ts(x)`, first line naming the README line it came
 * from. A block without imports or exports gets `export {}` (a module, as in an app); the names
 * it uses without defining come from the consumer project's `context.d.ts`.
 *
 * Usage: node --import tsx scripts/readmeBlocks.ts README.md <out dir>
 */
export function readmeBlocks(markdown: string): Array<{ line: number; lang: 'ts' | 'tsx'; code: string }> {
  const blocks: Array<{ line: number; lang: 'ts' | 'tsx'; code: string }> = []
  const lines = markdown.split('\n')
  for (let i = 0; i < lines.length; i++) {
    // A block may be indented (inside a list item): its lines lose that indentation.
    const open = /^( *)```(ts|tsx)\s*$/.exec(lines[i] ?? '')
    if (!open) continue
    const indent = open[1] ?? ''
    const start = i + 1
    let end = start
    while (end < lines.length && !/^ *```\s*$/.test(lines[end] ?? '')) end++
    const code = lines.slice(start, end).map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
    blocks.push({ line: start + 1, lang: open[2] as 'ts' | 'tsx', code: code.join('\n') })
    i = end
  }
  return blocks
}

const [source, outDir] = process.argv.slice(2)
if (!source || !outDir) {
  console.error('usage: readmeBlocks.ts <markdown file> <out dir>')
  process.exit(2)
}
mkdirSync(outDir, { recursive: true })
const blocks = readmeBlocks(readFileSync(source, 'utf8'))
blocks.forEach((block, index) => {
  const isModule = /^\s*(import|export)\s/m.test(block.code)
  const text = `// ${source} line ${block.line}\n${block.code}\n${isModule ? '' : 'export {}\n'}`
  writeFileSync(join(outDir, `readme-${index + 1}.${block.lang}`), text)
})
console.log(`readmeBlocks: ${blocks.length} blocks of ${source} written to ${outDir}`)
