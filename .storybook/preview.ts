import type { Preview } from '@storybook/react-vite'

const preview: Preview = {
  parameters: {
    layout: 'padded',
    backgrounds: { options: { dark: { name: 'Dark', value: '#0b1020' } } },
    // Accessibility checks fail the story tests, not just warn.
    a11y: { test: 'error' },
  },
  initialGlobals: { backgrounds: { value: 'dark' } },
}

export default preview
