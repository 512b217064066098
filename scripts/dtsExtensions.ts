import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

/**
 * Gives every relative specifier in the emitted declarations its `.js` extension, so they
 * resolve under `moduleResolution` NodeNext and Node16 as well as Bundler (the sources import
 * without extensions, which only Bundler resolves). `./x` becomes `./x.js` when `x.d.ts` was
 * emitted, `./x/index.js` when `x/index.d.ts` was. A specifier that matches neither fails the
 * build: a declaration that cannot resolve would silently turn a user's types into `any`.
 *
 * Usage: node --import tsx scripts/dtsExtensions.ts dist/types
 */

const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}(?:\/[^'"]*)?)\2/g

function declarationFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return declarationFiles(path)
    return path.endsWith('.d.ts') ? [path] : []
  })
}

function withExtension(file: string, specifier: string): string {
  if (/\.(js|mjs|cjs|json)$/.test(specifier)) return specifier
  const base = resolve(dirname(file), specifier)
  if (existsSync(`${base}.d.ts`)) return `${specifier}.js`
  if (existsSync(join(base, 'index.d.ts'))) return `${specifier.replace(/\/$/, '')}/index.js`
  throw new Error(`${relative(process.cwd(), file)}: cannot resolve '${specifier}' to an emitted declaration`)
}

export function rewriteDeclarations(root: string): number {
  let rewritten = 0
  for (const file of declarationFiles(root)) {
    const text = readFileSync(file, 'utf8')
    const next = text.replace(SPECIFIER, (_match, lead: string, quote: string, specifier: string) => {
      const fixed = withExtension(file, specifier)
      if (fixed !== specifier) rewritten += 1
      return `${lead}${quote}${fixed}${quote}`
    })
    if (next !== text) writeFileSync(file, next)
  }
  return rewritten
}

const root = process.argv[2]
if (!root) {
  console.error('usage: dtsExtensions.ts <declaration dir>')
  process.exit(2)
}
const count = rewriteDeclarations(root)
console.log(`dtsExtensions: ${count} relative specifiers now end in .js`)
