/// <reference types="vitest/config" />
// One workspace, three static apps. `vite build --mode <app>` builds one of
// them (site, account, admin) into dist/<app>; they share src/shared.
import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import vuetify from 'vite-plugin-vuetify'

const apps = ['site', 'account', 'admin'] as const
type App = (typeof apps)[number]

export default defineConfig(({ mode }) => {
  const app: App = (apps as readonly string[]).includes(mode) ? (mode as App) : 'site'
  return {
    root: fileURLToPath(new URL(`./apps/${app}`, import.meta.url)),
    base: app === 'site' ? '/' : `/${app}/`,
    envDir: fileURLToPath(new URL('.', import.meta.url)),
    plugins: [vue(), vuetify({ autoImport: true })],
    resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
    build: {
      outDir: fileURLToPath(new URL(`./dist/${app}`, import.meta.url)),
      emptyOutDir: true,
      chunkSizeWarningLimit: 1200,
    },
    server: { proxy: { '/v1': 'http://127.0.0.1:8080' } },
    test: {
      root: fileURLToPath(new URL('.', import.meta.url)),
      include: ['src/**/*.test.ts'],
      environment: 'jsdom',
      server: { deps: { inline: ['vuetify'] } },
    },
  }
})
