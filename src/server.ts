// `caravel serve`: the platform's HTTP server and its background work, started and stopped as one.
import { serve as serveHttp, type ServerType } from '@hono/node-server'
import type { Logger } from 'pino'
import { createApp } from './api/app.js'
import { VerifyPool } from './nostr/verify-pool.js'
import { DatabaseReplayGuard, ReplayCache } from './api/auth/replay-cache.js'
import { ApiMetrics } from './api/metrics.js'
import type { Config } from './config.js'
import { join } from 'node:path'
import { startEngine, type EngineHandle } from './engine/index.js'
import { initVerifier } from './nostr/verify.js'
import { openPlatform, type Platform } from './platform/platform.js'
import { RelaySync } from './sync/relay-sync.js'
import { Billing } from './billing/billing.js'
import { Robot, type RobotOptions } from './robot/robot.js'
import { Lease } from './workers/lease.js'

export interface RunningServer {
  platform: Platform
  /** The embedded engine; undefined when ZOOID_API_URL points at an external one. */
  engine: EngineHandle | undefined
  relaySync: RelaySync
  billing: Billing | undefined
  robot: Robot
  url: string
  port: number
  close(): Promise<void>
}

export interface ServerOptions {
  /** Billing tuning (tests shorten wallet timeouts, capture notices). */
  billing?: ConstructorParameters<typeof Billing>[2]
  robot?: RobotOptions
}

export async function startServer(config: Config, log: Logger, options: ServerOptions = {}): Promise<RunningServer> {
  await initVerifier()
  const platform = await openPlatform(config, log)
  // The embedded engine: its management API answers on 127.0.0.1:<ENGINE_PORT> to the robot key only.
  // With ZOOID_API_URL set, relays live on an external engine and none is started here.
  const engine = config.engine.embedded
    ? await startEngine({
        port: config.engine.port,
        apiHost: new URL(config.engine.apiUrl).host,
        apiWhitelist: [platform.robot.pubkey],
        dataDir: join(config.dataDir, 'engine'),
        logger: log.child({ component: 'engine' }),
      })
    : undefined
  // With several instances on one PostgreSQL, hear what the others commit before any worker starts.
  await platform.joinCluster()
  const relaySync = new RelaySync(platform)
  const robot = new Robot(platform, options.robot)
  const billing = config.stripe
    ? new Billing(platform, undefined, {
        notices: {
          paymentDue: (p) => void robot.paymentDue(p),
          autopayFailed: (p) => void robot.autopayFailed(p),
          displayName: (pubkey) => robot.displayName(pubkey),
          renewalSoon: (p) => void robot.renewalSoon(p),
          paymentActionRequired: (p) => void robot.paymentActionRequired(p),
        },
        ...options.billing,
      })
    : undefined
  const replay = platform.db.kind === 'postgres' ? new DatabaseReplayGuard(platform.db) : new ReplayCache()
  const verifyPool = config.nip98VerifyThreads > 0 ? new VerifyPool(config.nip98VerifyThreads) : undefined
  const app = createApp(platform, {
    replay,
    verifyPool,
    profiles: robot.profiles,
    relaySync,
    billing,
    metrics: new ApiMetrics({ processMetrics: true }),
    // One check per engine (`engine` when there is one, `engine:<name>` each when several): any HTTP answer from
    // an engine's API host means it is up.
    readiness: platform.engines.list.map((e) => ({
      name: platform.engines.list.length === 1 ? 'engine' : `engine:${e.name}`,
      check: async () => void (await fetch(`${e.url}/`, { signal: AbortSignal.timeout(2000) })),
    })),
  })
  await relaySync.start()
  await billing?.start()
  await robot.start()
  // The sweepers run in one instance (the holder of their lease); their deletes are harmless repeated anyway.
  const sweepers = new Lease(platform.leases, 'sweepers', { log })
  await sweepers.start()
  const sweeper = setInterval(() => {
    if (sweepers.held) platform.commands.deleteExpiredSessions().catch((err) => log.error({ err }, 'session sweep failed'))
  }, 3600_000)
  sweeper.unref()
  // Used NIP-98 ids in the database (PostgreSQL) are worthless two minutes later.
  const replaySweeper = setInterval(() => {
    if (replay instanceof DatabaseReplayGuard && sweepers.held) replay.sweep(Math.floor(Date.now() / 1000)).catch((err) => log.error({ err }, 'replay sweep failed'))
  }, 60_000)
  replaySweeper.unref()
  const server: ServerType = await new Promise((resolve) => {
    const s = serveHttp({ fetch: app.fetch, hostname: config.server.host, port: config.server.port }, () => resolve(s))
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : config.server.port
  log.info({ url: config.server.url, listen: `${config.server.host}:${port}` }, 'caravel is serving')
  return {
    platform,
    engine,
    relaySync,
    billing,
    robot,
    url: `http://${config.server.host}:${port}`,
    port,
    close: async () => {
      clearInterval(sweeper)
      clearInterval(replaySweeper)
      // Stopping releases each worker lease, so another instance takes over at once rather than after expiry.
      await Promise.all([relaySync.stop(), billing?.stop(), robot.stop(), sweepers.stop()])
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await engine?.close()
      await verifyPool?.close()
      await platform.close()
    },
  }
}
