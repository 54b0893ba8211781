// Engine placement, for operators: the configured engines with how many relays each serves, and moving a relay
// from one to another with its events and members (docs/operations.md, "Several engines").
import type { OpenAPIHono } from '@hono/zod-openapi'
import { z } from '@hono/zod-openapi'
import type { Platform } from '../../platform/platform.js'
import { relayUrlFor, relayView } from '../../platform/views.js'
import { moveRelay } from '../../sync/relay-move.js'
import type { RelaySync } from '../../sync/relay-sync.js'
import type { ApiEnv } from '../env.js'
import { ok } from '../errors.js'
import { EngineSchema, envelope, ErrorSchema, IdParam, MoveSchema } from '../schemas.js'
import { defineRoute, jsonBody, jsonResponse } from './define.js'

export function engineRoutes(platform: Platform, app: OpenAPIHono<ApiEnv>, relaySync: RelaySync) {
  const urlFor = relayUrlFor(platform.config.relayDomain, platform.config.engine.port)

  app.openapi(
    defineRoute(platform, 'admin', {
      method: 'get',
      path: '/engines',
      summary: 'Relay engines',
      description: 'The configured engines in order (new relays go to the one with the fewest), with their relay counts.',
      responses: { 200: jsonResponse('Engines', envelope(z.object({ items: z.array(EngineSchema) }))) },
    }),
    async (c) => {
      const items = await Promise.all(
        platform.engines.list.map(async (e) => ({ name: e.name, url: new URL(e.url).origin, relays: await platform.queries.countRelaysOnEngine(e.name) })),
      )
      return c.json(ok({ items }), 200)
    },
  )

  app.openapi(
    defineRoute(platform, 'admin', {
      method: 'post',
      path: '/relays/{id}/move',
      summary: 'Move a relay to another engine',
      description:
        'Stops the relay on its engine, copies its events (membership, invites and bans included) to the target, starts it there and purges the source. The relay URL does not change; the reverse proxy must route its host to the new engine (`caravel admin engine-map`). On failure the relay keeps running where it was: 503 `engine-unavailable` (an engine could not be reached) or 502 `move-failed` (an engine refused); 409 `move-in-progress`, `already-on-engine`, `relay-not-synced`.',
      request: { params: IdParam, body: jsonBody(z.strictObject({ engine: z.string().max(32) })) },
      responses: {
        200: jsonResponse('The relay on its new engine', envelope(MoveSchema)),
        502: jsonResponse('An engine refused a step; the relay runs where it was', ErrorSchema),
        503: jsonResponse('An engine could not be reached; the relay runs where it was', ErrorSchema),
      },
    }),
    async (c) => {
      const moved = await moveRelay(platform, relaySync, c.req.valid('param').id, c.req.valid('json').engine)
      return c.json(ok({ ...moved, relay: relayView(moved.relay, urlFor) }), 200)
    },
  )
}
