import { join, relative } from 'node:path'
import ts from 'typescript'

/**
 * Every type a user meets must be nameable: walks the declarations reachable from the package's
 * entries (exported functions' parameters and results, interfaces' members, aliases' bodies) and
 * fails on any type declared in the package that no entry exports. Run on the emitted
 * declarations: node --import tsx scripts/publicTypes.ts dist/types
 */
const root = process.argv[2]
if (!root) {
  console.error('usage: publicTypes.ts <declaration dir>')
  process.exit(2)
}
const base = join(process.cwd(), root)
const entries = ['index.d.ts', 'react/index.d.ts', 'testing/index.d.ts'].map((entry) => join(base, entry))
const program = ts.createProgram(entries, {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  skipLibCheck: true,
  noEmit: true,
})
const checker = program.getTypeChecker()
const ours = (symbol: ts.Symbol) =>
  symbol.declarations?.some((declaration) => declaration.getSourceFile().fileName.startsWith(base)) ?? false
const resolved = (symbol: ts.Symbol) =>
  symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol

const exported = new Set<ts.Symbol>()
for (const entry of entries) {
  const file = program.getSourceFile(entry)
  const module = file && checker.getSymbolAtLocation(file)
  if (!module) throw new Error(`publicTypes: cannot read ${entry}`)
  for (const symbol of checker.getExportsOfModule(module)) exported.add(resolved(symbol))
}

const queue = [...exported]
const seen = new Set<ts.Symbol>()
const unnamed = new Map<ts.Symbol, Set<string>>()
while (queue.length > 0) {
  const symbol = queue.pop()!
  if (seen.has(symbol)) continue
  seen.add(symbol)
  for (const declaration of symbol.declarations ?? []) {
    if (!declaration.getSourceFile().fileName.startsWith(base)) continue
    const visit = (node: ts.Node): void => {
      let name: ts.Node | null = null
      if (ts.isTypeReferenceNode(node)) name = node.typeName
      else if (ts.isTypeQueryNode(node)) name = node.exprName
      else if (ts.isExpressionWithTypeArguments(node)) name = node.expression
      if (name) {
        const at = ts.isQualifiedName(name) ? name.right : name
        const found = checker.getSymbolAtLocation(at)
        const target = found && resolved(found)
        if (target && !(target.flags & ts.SymbolFlags.TypeParameter) && ours(target)) {
          if (!exported.has(target)) unnamed.set(target, (unnamed.get(target) ?? new Set()).add(symbol.name))
          queue.push(target)
        }
      }
      ts.forEachChild(node, visit)
    }
    visit(declaration)
  }
}

if (unnamed.size > 0) {
  for (const [symbol, via] of unnamed) {
    const where = relative(base, symbol.declarations![0]!.getSourceFile().fileName)
    console.error(
      `publicTypes: ${symbol.name} (${where}) is reachable from ${[...via].join(', ')} but no entry exports it`,
    )
  }
  process.exit(1)
}
console.log(`publicTypes: all ${seen.size} declarations reachable from the entries are exported by name`)
