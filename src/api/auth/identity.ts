// Who is calling. A NIP-98 `Authorization` header, when present, alone decides (a bad one is 401 even with a
// valid cookie); otherwise the session cookie. Cookie-authenticated writes must come from our own origin.
import type { MiddlewareHandler } from 'hono'
import { checkNip98Claims, checkNip98Payload, decodeNip98Header, decodeNip98HeaderWith, Nip98Error } from '../../nostr/nip98.js'
import type { VerifyPool } from '../../nostr/verify-pool.js'
import { DomainError } from '../../platform/errors.js'
import { nowSeconds } from '../../platform/ids.js'
import type { Platform } from '../../platform/platform.js'
import type { ApiEnv } from '../env.js'
import { errorResponse } from '../errors.js'
import type { ReplayGuard } from './replay-cache.js'
import { apiCaches } from './session-cache.js'
import { hashSessionToken, readSessionCookie } from './session.js'

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** The request's path and raw query exactly as received (no decoding or normalisation). */
export function rawPathAndQuery(incomingUrl: string | undefined, parsedUrl: string): string {
  if (incomingUrl !== undefined) return incomingUrl
  const url = new URL(parsedUrl)
  return url.pathname + url.search
}

/** `pool`: Schnorr verification on worker threads; without it, on the event loop. */
export function identity(platform: Platform, replay: ReplayGuard, pool?: VerifyPool): MiddlewareHandler<ApiEnv> {
  const origin = platform.config.server.url
  const verify = pool && ((json: string) => pool.verify(json))
  const { sessions } = apiCaches(platform)
  return async (c, next) => {
    c.set('auth', undefined)
    c.set('sessionInvalid', false)
    const header = c.req.header('authorization')
    if (header !== undefined) {
      try {
        const event = verify ? await decodeNip98HeaderWith(header, verify) : decodeNip98Header(header)
        const now = nowSeconds()
        const expected = origin + rawPathAndQuery(c.env?.incoming?.url, c.req.url)
        checkNip98Claims(event, { urlMatches: (u) => u === expected, method: c.req.method, now })
        const body = UNSAFE.has(c.req.method) ? new Uint8Array(await c.req.arrayBuffer()) : undefined
        checkNip98Payload(event, body)
        if (!(await replay.use(event.id, now))) throw new Nip98Error('replay', 'this token was already used')
        c.set('auth', { pubkey: event.pubkey, via: 'nip98' })
      } catch (err) {
        if (!(err instanceof Nip98Error)) throw err
                const message = err.reason === 'url' ? `${err.message} (expected the request URL as served from ${origin})` : err.message
        return errorResponse(c, new DomainError(401, `auth-${err.reason}`, message), { 'WWW-Authenticate': 'Nostr' })
      }
      return next()
    }
    const token = readSessionCookie(c.req.header('cookie'))
    if (token !== undefined) {
      const hash = hashSessionToken(token)
      const now = nowSeconds()
      let session = sessions.get(hash)
      if (session && session.expires_at <= now) {
        sessions.delete(hash)
        session = undefined
      }
      if (!session) {
        const row = await platform.queries.getSession(hash, now)
        if (row) sessions.set(hash, (session = { pubkey: row.pubkey, expires_at: row.expires_at }))
      }
      if (!session) {
        c.set('sessionInvalid', true)
      } else {
        if (UNSAFE.has(c.req.method) && c.req.header('origin') !== origin) {
          return errorResponse(c, new DomainError(403, 'origin-mismatch', `cookie-authenticated writes must come from ${origin}`))
        }
        c.set('auth', { pubkey: session.pubkey, via: 'session', session: { hash, expiresAt: session.expires_at } })
      }
    }
    return next()
  }
}
