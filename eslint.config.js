import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'
import reactHooks from 'eslint-plugin-react-hooks'

const timeAndRandomness = [
  { name: 'setTimeout', message: 'Use the injected Clock (src/env/) so tests can drive time.' },
  { name: 'setInterval', message: 'Use the injected Clock (src/env/) so tests can drive time.' },
]
const timeAndRandomnessSyntax = [
  {
    selector: "MemberExpression[object.name='Date'][property.name='now']",
    message: 'Use clock.now() from the injected environment (src/env/).',
  },
  {
    selector: "MemberExpression[object.name='Math'][property.name='random']",
    message: 'Use the injected Random (src/env/).',
  },
  {
    selector: "MemberExpression[object.name='performance'][property.name='now']",
    message: 'Use the injected Clock (src/env/).',
  },
  {
    selector: "MemberExpression[object.name='globalThis'][property.name=/^(setTimeout|setInterval)$/]",
    message: 'Use the injected Clock (src/env/).',
  },
  {
    selector: "MemberExpression[object.name='window'][property.name=/^(setTimeout|setInterval)$/]",
    message: 'Use the injected Clock (src/env/).',
  },
]

// Layering (DESIGN.md §6), checked on every lint run: which folder may import which.
const onlyCoreImportsTheAdapter = {
  group: ['**/transport/*'],
  message:
    'Only src/core/ imports the supabase-js adapter (src/transport/): use the port and the events in src/events/.',
}
const noSagas = { group: ['**/sagas/*'], message: 'Sagas are wired by src/core/; this layer must not import them.' }
const noRouter = { group: ['**/router/*'], message: 'The slice must not depend on the router.' }
const restrictImports = (files, patterns, ignores = []) => ({
  files,
  ignores,
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
})
const layering = [
  restrictImports(
    ['src/**/*.{ts,tsx}'],
    [onlyCoreImportsTheAdapter],
    [
      'src/core/**',
      'src/transport/**',
      'src/index.ts',
      'src/slice/**',
      'src/react/**',
      'src/devtools/**',
      'src/policy/**',
    ],
  ),
  restrictImports(['src/slice/**/*.ts'], [onlyCoreImportsTheAdapter, noSagas, noRouter]),
  restrictImports(['src/react/**/*.{ts,tsx}', 'src/devtools/**/*.{ts,tsx}'], [onlyCoreImportsTheAdapter, noSagas]),
  restrictImports(
    ['src/policy/**/*.ts'],
    [
      {
        group: ['*', '**/*', '../*', './*'],
        allowTypeImports: true,
        message: 'Policies are pure: import nothing but types.',
      },
    ],
  ),
]

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'storybook-static/', 'node_modules/', '.compat/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: [
      'src/react/**/*.{ts,tsx}',
      'src/devtools/**/*.{ts,tsx}',
      'storybook/**/*.{ts,tsx}',
      'test/react/**/*.{ts,tsx}',
    ],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/env/**'],
    rules: {
      'no-restricted-globals': ['error', ...timeAndRandomness],
      'no-restricted-syntax': ['error', ...timeAndRandomnessSyntax],
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    rules: {
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true, IIFEs: true }],
    },
  },
  ...layering,
)
