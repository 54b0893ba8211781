// Every route is defined through `defineRoute`, which requires an access level and installs its guard, so
// authorization lives next to the route and cannot be forgotten.
import { createRoute, type RouteConfig } from '@hono/zod-openapi'
import type { Platform } from '../../platform/platform.js'
import { ACCESS_DESCRIPTIONS, guard, type Access } from '../guards.js'
import { ErrorSchema } from '../schemas.js'

const errorResponses = {
  400: { description: 'Invalid input', content: { 'application/json': { schema: ErrorSchema } } },
  401: { description: 'Not authenticated', content: { 'application/json': { schema: ErrorSchema } } },
  403: { description: 'Not allowed', content: { 'application/json': { schema: ErrorSchema } } },
  404: { description: 'Not found', content: { 'application/json': { schema: ErrorSchema } } },
  409: { description: 'Conflict', content: { 'application/json': { schema: ErrorSchema } } },
  422: { description: 'Refused by a business rule', content: { 'application/json': { schema: ErrorSchema } } },
}

export function defineRoute<R extends Omit<RouteConfig, 'middleware'>>(platform: Platform, access: Access, route: R) {
  const security: Record<string, string[]>[] = access === 'anyone' ? [] : [{ nip98: [] }, { session: [] }]
  return createRoute({
    ...route,
    middleware: [guard(platform, access)] as const,
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
