// The Vuetify instance every app uses: one brand theme in light and dark,
// SVG icons (no icon font download), and the visitor's colour preference.
import 'vuetify/styles'
import '@fontsource/roboto/400.css'
import '@fontsource/roboto/500.css'
import '@fontsource/roboto/700.css'
import { createVuetify, type ThemeDefinition } from 'vuetify'
import { aliases, mdi } from 'vuetify/iconsets/mdi-svg'

// Colours chosen for WCAG AA contrast of text on surface and on primary.
const light: ThemeDefinition = {
  dark: false,
  colors: {
    background: '#f6f8fb',
    surface: '#ffffff',
    primary: '#1f4fd1',
    secondary: '#0f766e',
    accent: '#7c3aed',
    error: '#b42318',
    warning: '#9a5b00',
    success: '#0f7b3a',
    info: '#0b6aa2',
  },
  // Field labels and secondary text at Vuetify's default emphasis measured
  // 3.97:1 on a filled field (axe); this keeps them above 4.5:1.
  variables: { 'medium-emphasis-opacity': 0.72 },
}

const dark: ThemeDefinition = {
  dark: true,
  colors: {
    background: '#0d1117',
    surface: '#161b22',
    primary: '#8cb4ff',
    secondary: '#5eead4',
    accent: '#c4b5fd',
    error: '#ff8a80',
    warning: '#ffcc80',
    success: '#7ee2a8',
    info: '#81d4fa',
  },
  variables: { 'medium-emphasis-opacity': 0.75 },
}

export const THEME_KEY = 'ezscale-theme'

export function preferredTheme(): 'light' | 'dark' {
  const saved = globalThis.localStorage?.getItem(THEME_KEY)
  if (saved === 'light' || saved === 'dark') return saved
  return globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'
}

export function makeVuetify() {
  return createVuetify({
    theme: { defaultTheme: preferredTheme(), themes: { light, dark } },
    icons: { defaultSet: 'mdi', aliases, sets: { mdi } },
    defaults: {
      VBtn: { style: 'text-transform: none; letter-spacing: normal' },
      VCard: { rounded: 'lg' },
    },
  })
}
