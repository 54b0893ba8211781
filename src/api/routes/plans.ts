import { OpenAPIHono, z } from '@hono/zod-openapi'
import { notFound } from '../../platform/errors.js'
import type { Platform } from '../../platform/platform.js'
import type { ApiEnv } from '../env.js'
import { ok } from '../errors.js'
import { envelope, PlanSchema } from '../schemas.js'
import { defineRoute, jsonResponse } from './define.js'

export function planRoutes(platform: Platform, app: OpenAPIHono<ApiEnv>) {
  app.openapi(
    defineRoute(platform, 'anyone', {
      method: 'get',
      path: '/plans',
      summary: 'List plans',
      responses: { 200: jsonResponse('Every plan', envelope(z.array(PlanSchema))) },
    }),
    (c) => c.json(ok(platform.plans.list), 200),
  )
  app.openapi(
    defineRoute(platform, 'anyone', {
      method: 'get',
      path: '/plans/{id}',
      summary: 'Get a plan',
      request: { params: z.object({ id: z.string().max(64) }) },
      responses: { 200: jsonResponse('The plan', envelope(PlanSchema)) },
    }),
    (c) => {
      const plan = platform.plans.get(c.req.valid('param').id)
      if (!plan) throw notFound('plan')
      return c.json(ok(plan), 200)
    },
  )
}
