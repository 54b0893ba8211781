// The HTTP app: `/api/*` (JSON, NIP-98 or session auth, route guards), health and metrics.
import { OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { cors } from 'hono/cors'
import { DomainError } from '../platform/errors.js'
import type { Platform } from '../platform/platform.js'
import { identity } from './auth/identity.js'
import { DatabaseReplayGuard, ReplayCache, type ReplayGuard } from './auth/replay-cache.js'
import type { ApiEnv } from './env.js'
import { errorResponse, domainErrorOf, validationError } from './errors.js'
import { ApiMetrics } from './metrics.js'
import { ResponseCache } from './response-cache.js'
import { planRoutes } from './routes/plans.js'
import { relayRoutes } from './routes/relays.js'
import { sessionRoutes } from './routes/session.js'
import { dashboard } from './static.js'
import { tenantRoutes } from './routes/tenants.js'
import { RelaySync } from '../sync/relay-sync.js'
import type { Billing } from '../billing/billing.js'
import { billingRoutes, lightningRoutes, WEBHOOK_PATH } from './routes/billing.js'
import { moderationRoutes } from './routes/moderation.js'
import { engineRoutes } from './routes/engines.js'
import { communityRoutes, IMPORT_CHUNK_LIMIT, IMPORT_PATH } from './routes/community.js'
import type { ProfileDirectory } from '../robot/profiles.js'
import type { VerifyPool } from '../nostr/verify-pool.js'

export const API_BODY_LIMIT = 64 * 1024

export interface ReadinessCheck {
  name: string
  check: () => Promise<void>
}

export interface AppOptions {
  metrics?: ApiMetrics
  /** Where used NIP-98 ids are kept (by default: memory on SQLite, the database on PostgreSQL). */
  replay?: ReplayGuard
  /** Billing, when STRIPE_SECRET_KEY is set. */
  billing?: Billing
  /** The running relay-sync reactor; without one, admin retries still sync through a fresh, unstarted one. */
  relaySync?: RelaySync
  readiness?: ReadinessCheck[]
  /** Names and pictures of relay members (the robot's directory). */
  profiles?: ProfileDirectory
  /** Session-cookie GETs answered from memory until the next commit (made here unless a test passes its own). */
  responseCache?: ResponseCache
  /** Worker threads for NIP-98 signature checks (`NIP98_VERIFY_THREADS`); without one, the event loop verifies. */
  verifyPool?: VerifyPool
}

export function createApp(platform: Platform, options: AppOptions = {}) {
  const metrics = options.metrics ?? new ApiMetrics()
  const responseCache = options.responseCache ?? new ResponseCache(platform.db)
  // Several instances share a PostgreSQL database, and so must share used NIP-98 ids; one SQLite process keeps them in memory.
  const replay = options.replay ?? (platform.db.kind === 'postgres' ? new DatabaseReplayGuard(platform.db) : new ReplayCache())
  const readiness: ReadinessCheck[] = [
    { name: 'database', check: async () => void (await platform.db.all(platform.db.q.selectNoFrom((eb) => eb.lit(1).as('one')))) },
    ...(options.readiness ?? []),
  ]

  const onError = (err: Error, c: Context) => {
    const known = domainErrorOf(err)
    if (known) return errorResponse(c, known)
    platform.log.error({ err, method: c.req.method, path: c.req.path }, 'request failed')
    return c.json({ error: 'internal error', code: 'internal-error' }, 500)
  }

  const api = new OpenAPIHono<ApiEnv>({
    defaultHook: (result, c) => {
      if (!result.success) return errorResponse(c, validationError(result.error))
    },
  })
  api.onError(onError)
  // CORS only for requests that carry an Origin: hono's cors() on every request cost a good share of the API
  // benchmark. Setting `Vary` here still makes the headers a `Headers` object (about 3.6 µs per response;
  // docs/benchmarks.md), a price paid so caches never mix answers for different origins.
  const corsFor = cors({ origin: platform.config.server.allowOrigins, allowHeaders: ['Authorization', 'Content-Type'], maxAge: 600 })
  api.use('*', (c, next) => {
    if (c.req.header('origin') !== undefined) return corsFor(c, next)
    c.header('Vary', 'Origin')
    return next()
  })
  const generalLimit = bodyLimit({
    maxSize: API_BODY_LIMIT,
    onError: (c) => errorResponse(c, new DomainError(413, 'body-too-large', `the request body is larger than ${API_BODY_LIMIT} bytes`)),
  })
  const importLimit = bodyLimit({
    maxSize: IMPORT_CHUNK_LIMIT,
    onError: (c) => errorResponse(c, new DomainError(413, 'body-too-large', `an import chunk is at most ${IMPORT_CHUNK_LIMIT} bytes; send the file in parts`)),
  })
  // GET and HEAD carry no body (reading one would make @hono/node-server build a full Request); the Stripe
  // webhook has its own, larger limit, and event imports take chunks as large as the engine accepts.
  api.use('*', (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.path === `/api${WEBHOOK_PATH}`) return next()
    return IMPORT_PATH.test(c.req.path) ? importLimit(c, next) : generalLimit(c, next)
  })
  api.use('*', identity(platform, replay, options.verifyPool))

  planRoutes(platform, api)
  sessionRoutes(platform, api)
  tenantRoutes(platform, api, options.billing)
  const relaySync = options.relaySync ?? new RelaySync(platform)
  relayRoutes(platform, api, relaySync)
  engineRoutes(platform, api, relaySync)
  billingRoutes(platform, api, options.billing)
  lightningRoutes(platform, api, options.billing)
  moderationRoutes(platform, api, { profiles: options.profiles })
  communityRoutes(platform, api, { profiles: options.profiles })

  api.openAPIRegistry.registerComponent('securitySchemes', 'nip98', {
    type: 'http',
    scheme: 'Nostr',
    description: 'NIP-98: `Authorization: Nostr <base64 kind-27235 event>` with u, method and payload tags',
  })
  api.openAPIRegistry.registerComponent('securitySchemes', 'session', { type: 'apiKey', in: 'cookie', name: 'caravel_session' })
  api.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Caravel API', version: '1', description: 'Hosting for Nostr community relays. Success: `{data, code: "ok"}`; failure: `{error, code}`.' },
    servers: [{ url: `${platform.config.server.url}/api` }],
  })

  const app = new OpenAPIHono()
  app.onError(onError)
  app.use('*', metrics.middleware())
  responseCache.allowRoutesOf(api, '/api')
  app.use('/api/*', responseCache.middleware())
  app.route('/api', api)
  app.get('/healthz', (c) => c.json({ status: 'ok' }))
  app.get('/readyz', async (c) => {
    const results = await Promise.all(
      readiness.map(async ({ name, check }) => {
        try {
          await check()
          return [name, 'ok'] as const
        } catch (err) {
          return [name, (err as Error).message || 'failed'] as const
        }
      }),
    )
    const ready = results.every(([, status]) => status === 'ok')
    return c.json({ status: ready ? 'ready' : 'not-ready', checks: Object.fromEntries(results) }, ready ? 200 : 503)
  })
  app.use('*', dashboard())
  app.notFound((c) =>
    c.req.path.startsWith('/api/') ? errorResponse(c, new DomainError(404, 'not-found', 'no such API route')) : c.text('404 Not Found', 404),
  )
  app.get('/metrics', async (c) => c.text(await metrics.text(), 200, { 'Content-Type': metrics.registry.contentType }))
  return app
}
