import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'
import reactHooks from 'eslint-plugin-react-hooks'

const timeAndRandomness = [
  { name: 'setTimeout', message: 'Use the injected Clock (src/env/) so tests can drive time.' },
  { name: 'setInterval', message: 'Use the injected Clock (src/env/) so tests can drive time.' },
]
const timeAndRandomnessSyntax = [
  { selector: "MemberExpression[object.name='Date'][property.name='now']", message: 'Use clock.now() from the injected environment (src/env/).' },
  { selector: "MemberExpression[object.name='Math'][property.name='random']", message: 'Use the injected Random (src/env/).' },
  { selector: "MemberExpression[object.name='performance'][property.name='now']", message: 'Use the injected Clock (src/env/).' },
  { selector: "MemberExpression[object.name='globalThis'][property.name=/^(setTimeout|setInterval)$/]", message: 'Use the injected Clock (src/env/).' },
  { selector: "MemberExpression[object.name='window'][property.name=/^(setTimeout|setInterval)$/]", message: 'Use the injected Clock (src/env/).' },
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
    files: ['src/react/**/*.{ts,tsx}', 'src/devtools/**/*.{ts,tsx}', 'storybook/**/*.{ts,tsx}', 'test/react/**/*.{ts,tsx}'],
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
    ignores: ['src/testing/**'],
    rules: {
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true, IIFEs: true }],
    },
  },
)
