// Authorization, declared once per route. Every route names its access level when it is defined (see
// routes/define.ts), so a forgotten check cannot fail open; the authorization-matrix test reads the same
// declarations from the OpenAPI document.
import type { MiddlewareHandler } from 'hono'
import { DomainError, forbidden, notFound } from '../platform/errors.js'
import { parsePubkey } from '../nostr/pubkey.js'
import type { Platform } from '../platform/platform.js'
import type { ApiEnv } from './env.js'
import { errorResponse } from './errors.js'
import { clearSessionCookie } from './auth/session.js'
import { apiCaches } from './auth/session-cache.js'

export type Access = 'anyone' | 'signed-in' | 'admin' | 'self-or-admin' | 'relay-owner-or-admin'

export const ACCESS_DESCRIPTIONS: Record<Access, string> = {
  anyone: 'No authentication.',
  'signed-in': 'Any authenticated Nostr identity (NIP-98 or session cookie).',
  admin: 'Operator admins only.',
  'self-or-admin': 'The tenant named in the path, or an admin.',
  'relay-owner-or-admin': "The relay's tenant, or an admin.",
}

export function guard(platform: Platform, access: Access): MiddlewareHandler<ApiEnv> {
  const secure = platform.config.server.url.startsWith('https:')
  const unauthenticated = (c: Parameters<MiddlewareHandler<ApiEnv>>[0]) =>
    c.var.sessionInvalid
      ? errorResponse(c, new DomainError(401, 'session-invalid', 'your session has expired; sign in again'), {
          'Set-Cookie': clearSessionCookie(secure),
        })
      : errorResponse(c, new DomainError(401, 'auth-missing', 'sign in with NIP-98 or a session'), { 'WWW-Authenticate': 'Nostr' })

  if (access === 'anyone') return async (_c, next) => next()
  const { admins } = apiCaches(platform)

  return async (c, next) => {
    const auth = c.var.auth
    if (!auth) return unauthenticated(c)
    const isAdmin = (await admins.through(auth.pubkey, () => platform.isAdmin(auth.pubkey)))!
    c.set('isAdmin', isAdmin)
    switch (access) {
      case 'signed-in':
        return next()
      case 'admin':
        if (!isAdmin) return errorResponse(c, forbidden())
        return next()
      case 'self-or-admin': {
        const parsed = parsePubkey(c.req.param('pubkey'))
        if (!parsed.ok) return errorResponse(c, new DomainError(400, 'invalid-pubkey', 'the pubkey in the path is not a hex or npub pubkey'))
        if (!isAdmin && parsed.pubkey !== auth.pubkey) return errorResponse(c, forbidden())
        return next()
      }
      case 'relay-owner-or-admin': {
        const relay = await platform.queries.getRelay(c.req.param('id') ?? '')
        if (!relay) return errorResponse(c, notFound('relay'))
        if (!isAdmin && relay.tenant !== auth.pubkey) return errorResponse(c, forbidden())
        c.set('relay', relay)
        return next()
      }
    }
  }
}
