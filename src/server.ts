// `caravel serve`: the platform's HTTP server and its background work, started and stopped as one.
import { serve as serveHttp, type ServerType } from '@hono/node-server'
import type { Logger } from 'pino'
import { createApp } from './api/app.js'
import { ApiMetrics } from './api/metrics.js'
import type { Config } from './config.js'
import { initVerifier } from './nostr/verify.js'
import { openPlatform, type Platform } from './platform/platform.js'

export interface RunningServer {
  platform: Platform
  url: string
  port: number
  close(): Promise<void>
}

export async function startServer(config: Config, log: Logger): Promise<RunningServer> {
  await initVerifier()
  const platform = openPlatform(config, log)
  const app = createApp(platform, { metrics: new ApiMetrics({ processMetrics: true }) })
  const sweeper = setInterval(() => {
    platform.commands.deleteExpiredSessions().catch((err) => log.error({ err }, 'session sweep failed'))
  }, 3600_000)
  sweeper.unref()
  const server: ServerType = await new Promise((resolve) => {
    const s = serveHttp({ fetch: app.fetch, hostname: config.server.host, port: config.server.port }, () => resolve(s))
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : config.server.port
  log.info({ url: config.server.url, listen: `${config.server.host}:${port}` }, 'caravel is serving')
  return {
    platform,
    url: `http://${config.server.host}:${port}`,
    port,
    close: async () => {
      clearInterval(sweeper)
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await platform.close()
    },
  }
}
