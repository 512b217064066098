import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

/** The layering rules of eslint.config.js, run on imports a file in each folder must not make. */
async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint()
  const [result] = await eslint.lintText(code, { filePath })
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === '@typescript-eslint/no-restricted-imports')
    .map((message) => message.message)
}

// ESLint loads the whole config per probe: slow on a loaded machine (no timing is asserted).
describe('the layering rules (npm run lint)', { timeout: 30_000 }, () => {
  it('let only src/core import the supabase-js adapter', async () => {
    const code =
      "import { createSupabaseTransport } from '../transport/supabaseTransport'\nexport const used = createSupabaseTransport\n"
    expect(await restrictedImports('src/router/probe.ts', code)).toHaveLength(1)
    expect(await restrictedImports('src/core/probe.ts', code)).toEqual([])
  })

  it('keep sagas out of the slice, the hooks and the panel, and the router out of the slice', async () => {
    const sagas = "import { sleep } from '../sagas/effects'\nexport const used = sleep\n"
    expect(await restrictedImports('src/slice/probe.ts', sagas)).toHaveLength(1)
    expect(await restrictedImports('src/react/probe.ts', sagas)).toHaveLength(1)
    expect(await restrictedImports('src/devtools/probe.ts', sagas)).toHaveLength(1)
    expect(
      await restrictedImports(
        'src/slice/probe.ts',
        "import { tagKey } from '../router/tags'\nexport const used = tagKey\n",
      ),
    ).toHaveLength(1)
  })

  it('let policies import types only', async () => {
    expect(
      await restrictedImports(
        'src/policy/probe.ts',
        "import { DEFAULT_RETRY } from './backoff'\nexport const used = DEFAULT_RETRY\n",
      ),
    ).toHaveLength(1)
    expect(
      await restrictedImports(
        'src/policy/probe.ts',
        "import type { RetryOptions } from './backoff'\nexport type Used = RetryOptions\n",
      ),
    ).toEqual([])
  })
})
