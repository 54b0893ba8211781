import solid from 'vite-plugin-solid'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // @getalby/sdk talks to the console (connection chatter, failed requests it also throws): keep test output readable.
    onConsoleLog: (log) => !/^(Failed to request|Failed to parse decrypted|checking connection|subscribing to relay|subscribed to relays|relay disconnected|error subscribing)/.test(log),
    projects: [
      {
        extends: true,
        test: { name: 'node', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
      },
      // The dashboard's own tests: its logic and rendered components, in jsdom with Solid's JSX transform.
      {
        extends: true,
        plugins: [solid()],
        test: { name: 'web', include: ['web/**/*.test.{ts,tsx}'], environment: 'jsdom' },
      },
    ],
  },
})
