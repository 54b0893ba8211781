// `caravel serve`: the platform's HTTP server and its background work, started and stopped as one.
import { serve as serveHttp, type ServerType } from '@hono/node-server'
import type { Logger } from 'pino'
import { createApp } from './api/app.js'
import { ApiMetrics } from './api/metrics.js'
import type { Config } from './config.js'
import { join } from 'node:path'
import { startEngine, type EngineHandle } from './engine/index.js'
import { initVerifier } from './nostr/verify.js'
import { openPlatform, type Platform } from './platform/platform.js'

export interface RunningServer {
  platform: Platform
  engine: EngineHandle
  url: string
  port: number
  close(): Promise<void>
}

export async function startServer(config: Config, log: Logger): Promise<RunningServer> {
  await initVerifier()
  const platform = openPlatform(config, log)
  // The embedded engine: its management API answers on 127.0.0.1:<ENGINE_PORT> to the robot key only.
  const engineApiHost = `127.0.0.1:${config.engine.port}`
  const engine = await startEngine({
    port: config.engine.port,
    apiHost: engineApiHost,
    apiWhitelist: [platform.robot.pubkey],
    dataDir: join(config.dataDir, 'engine'),
    logger: log.child({ component: 'engine' }),
  })
  const app = createApp(platform, {
    metrics: new ApiMetrics({ processMetrics: true }),
    readiness: [
      {
        name: 'engine',
        check: async () => {
          // Any HTTP answer from the engine's API host means it is up.
          await fetch(`http://${engineApiHost}/`, { signal: AbortSignal.timeout(2000) })
        },
      },
    ],
  })
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
    engine,
    url: `http://${config.server.host}:${port}`,
    port,
    close: async () => {
      clearInterval(sweeper)
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await engine.close()
      await platform.close()
    },
  }
}
