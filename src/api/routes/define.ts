// Every route is defined through `defineRoute`, which requires an access level and installs its guard, so
// authorization lives next to the route and cannot be forgotten.
import { createRoute, type RouteConfig } from '@hono/zod-openapi'
import type { Platform } from '../../platform/platform.js'
import { ACCESS_DESCRIPTIONS, guard, type Access } from '../guards.js'
import { ErrorSchema } from '../schemas.js'
import { cacheable } from '../response-cache.js'
import type { MiddlewareHandler } from 'hono'
import type { ApiEnv } from '../env.js'

const errorResponses = {
  400: { description: 'Invalid input', content: { 'application/json': { schema: ErrorSchema } } },
  401: { description: 'Not authenticated', content: { 'application/json': { schema: ErrorSchema } } },
  403: { description: 'Not allowed', content: { 'application/json': { schema: ErrorSchema } } },
  404: { description: 'Not found', content: { 'application/json': { schema: ErrorSchema } } },
  409: { description: 'Conflict', content: { 'application/json': { schema: ErrorSchema } } },
  422: { description: 'Refused by a business rule', content: { 'application/json': { schema: ErrorSchema } } },
}

export interface RouteOptions {
  /**
   * The answer depends only on the caller, the URL and the database: session-cookie GETs may be answered from
   * memory until the next commit (api/response-cache.ts).
   */
  cache?: boolean
}

export function defineRoute<R extends Omit<RouteConfig, 'middleware'>>(platform: Platform, access: Access, route: R, options: RouteOptions = {}) {
  const security: Record<string, string[]>[] = access === 'anyone' ? [] : [{ nip98: [] }, { session: [] }]
  return createRoute({
    ...route,
    middleware: (options.cache ? [guard(platform, access), cacheable] : [guard(platform, access)]) as [MiddlewareHandler<ApiEnv>, ...MiddlewareHandler<ApiEnv>[]],
    security,
    description: [route.description, `Access: ${ACCESS_DESCRIPTIONS[access]}`].filter(Boolean).join('\n\n'),
    'x-access': access,
    responses: { ...errorResponses, ...route.responses },
  })
}

export function jsonBody<T>(schema: T) {
  return { required: true, content: { 'application/json': { schema } } } as const
}

export function jsonResponse<T>(description: string, schema: T) {
  return { description, content: { 'application/json': { schema } } }
}
