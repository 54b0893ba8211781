import type { OpenAPIHono } from '@hono/zod-openapi'
import { z } from '@hono/zod-openapi'
import { DomainError } from '../../platform/errors.js'
import type { Platform } from '../../platform/platform.js'
import { clearSessionCookie, hashSessionToken, newSessionToken, readSessionCookie, sessionCookie } from '../auth/session.js'
import type { ApiEnv } from '../env.js'
import { ok } from '../errors.js'
import { envelope, IdentitySchema } from '../schemas.js'
import { defineRoute, jsonResponse } from './define.js'

export function sessionRoutes(platform: Platform, app: OpenAPIHono<ApiEnv>) {
  const { sessionTtlSeconds: ttl } = platform.config
  const secure = platform.config.server.url.startsWith('https:')

  app.openapi(
    defineRoute(platform, 'signed-in', {
      method: 'get',
      path: '/identity',
      summary: 'Who am I',
      responses: { 200: jsonResponse('The caller', envelope(IdentitySchema)) },
    }),
    async (c) => {
      const { pubkey } = c.var.auth!
      const tenant = await platform.queries.getTenant(pubkey)
      return c.json(ok({ pubkey, is_admin: c.var.isAdmin, is_tenant: tenant !== undefined }), 200)
    },
  )

  app.openapi(
    defineRoute(platform, 'anyone', {
      method: 'get',
      path: '/session',
      summary: 'Is this browser signed in?',
      description: 'Never 401: lets a page ask without an error in the console.',
      responses: { 200: jsonResponse('The session state', envelope(z.object({ signed_in: z.boolean(), pubkey: z.string().nullable() }))) },
    }),
    (c) => c.json(ok({ signed_in: c.var.auth !== undefined, pubkey: c.var.auth?.pubkey ?? null }), 200),
  )

  app.openapi(
    defineRoute(platform, 'signed-in', {
      method: 'post',
      path: '/session',
      summary: 'Open a dashboard session',
      description: 'Exchange one fresh NIP-98 request for an HttpOnly session cookie.',
      responses: {
        201: jsonResponse('Session opened; the cookie is set', envelope(z.object({ pubkey: z.string(), expires_at: z.number().int() }))),
      },
    }),
    async (c) => {
      const auth = c.var.auth!
      if (auth.via !== 'nip98') throw new DomainError(401, 'auth-missing', 'opening a session needs a NIP-98 Authorization header')
      const { token, hash } = newSessionToken()
      await platform.commands.createSession(hash, auth.pubkey, ttl)
      c.header('Set-Cookie', sessionCookie(token, ttl, secure))
      return c.json(ok({ pubkey: auth.pubkey, expires_at: Math.floor(Date.now() / 1000) + ttl }), 201)
    },
  )

  app.openapi(
    defineRoute(platform, 'signed-in', {
      method: 'delete',
      path: '/session',
      summary: 'Close the dashboard session',
      responses: { 204: { description: 'Closed; the cookie is cleared' } },
    }),
    async (c) => {
      const token = readSessionCookie(c.req.header('cookie'))
      if (token) await platform.commands.deleteSession(hashSessionToken(token))
      c.header('Set-Cookie', clearSessionCookie(secure))
      return c.body(null, 204)
    },
  )
}
