// Answers repeated session-cookie GETs from memory while the database is unchanged. A dashboard asks for the
// same pages over and over; a route whose answer depends only on the caller, the URL and the database opts in
// (`defineRoute(…, { cache: true })`), and its 200 answers are kept per (session, URL) together with the
// database's version read before the request ran (`Database.dataVersion`, SQLite only). A later identical
// request is answered at once when the version is the same — no commit anywhere since, so the same guard,
// validation and handler would produce the same bytes — and the session has not expired. A logout, an admin
// change or any write is a commit: made by this process it ends every entry's validity at once, made by another
// (the CLI) from the next event-loop turn (see `SqliteDatabase.dataVersion`). NIP-98 requests (a fresh token each
// time), requests with an Origin (CORS answers vary by it) and other methods always take the full path.
import type { Context, MiddlewareHandler } from 'hono'
import { matchedRoutes } from 'hono/route'
import { LRUCache } from 'lru-cache'
import type { Database } from '../db/database.js'
import { nowSeconds } from '../platform/ids.js'
import type { ApiEnv } from './env.js'
import { hashSessionToken, readSessionCookie } from './auth/session.js'

interface Entry {
  version: number
  /** The session's expiry (unix seconds): past it, the full path answers (401). */
  until: number
  body: Uint8Array
  headers: Record<string, string>
}

export class ResponseCache {
  private readonly entries: LRUCache<string, Entry>
  /** Answers served from memory, and cacheable answers computed (for tests and metrics). */
  readonly stats = { hits: 0, fills: 0 }
  /** Route patterns (as the app's router names them) whose answers may be kept. */
  private readonly routes = new Set<string>()

  constructor(
    private readonly db: Pick<Database, 'dataVersion'>,
    maxEntries = 10_000,
  ) {
    this.entries = new LRUCache({ max: maxEntries })
  }

  /**
   * Takes the routes of `app` (mounted at `prefix`) that opted in with `defineRoute(…, { cache: true })`: their
   * handlers include `cacheable`. Read from the app itself, before mounting wraps its handlers.
   */
  allowRoutesOf(app: { routes: { path: string; method: string; handler: unknown }[] }, prefix = ''): void {
    for (const r of app.routes) if (r.handler === cacheable) this.routes.add(`${prefix}${r.path}`)
  }

  /** Serves hits; records cacheable answers. Goes in front of the API, after the metrics. */
  middleware(): MiddlewareHandler<ApiEnv> {
    return async (c, next) => {
      const key = this.keyOf(c)
      if (key === undefined) return next()
      const version = this.db.dataVersion()
      if (version === undefined) return next()
      const hit = this.entries.get(key)
      if (hit && hit.version === version && nowSeconds() < hit.until) {
        this.stats.hits++
        return new Response(hit.body, { status: 200, headers: hit.headers })
      }
      await next()
      const auth = c.get('auth')
      if (c.res.status !== 200 || !c.get('cacheable') || !auth?.session || c.res.headers.has('set-cookie')) return
      const res = c.res.clone()
      const body = new Uint8Array(await res.arrayBuffer())
      const headers: Record<string, string> = {}
      res.headers.forEach((value, name) => (headers[name] = value))
      this.entries.set(key, { version, until: auth.session.expiresAt, body, headers })
      this.stats.fills++
    }
  }

  /** The session's token hash and the URL, for a GET that may be answered from here; else undefined. */
  private keyOf(c: Context<ApiEnv>): string | undefined {
    if (c.req.method !== 'GET' || c.req.header('authorization') !== undefined || c.req.header('origin') !== undefined) return undefined
    // Only a route that opted in (the router has already matched the request).
    const routes = matchedRoutes(c)
    const route = routes.findLast((r) => r.method !== 'ALL')
    if (!route || !this.routes.has(route.path)) return undefined
    const token = readSessionCookie(c.req.header('cookie'))
    if (token === undefined) return undefined
    return `${hashSessionToken(token)} ${c.env?.incoming?.url ?? c.req.url}`
  }
}

/** Marks a route's answers as cacheable (see `ResponseCache`); installed by `defineRoute(…, { cache: true })`. */
export const cacheable: MiddlewareHandler<ApiEnv> = (c, next) => {
  c.set('cacheable', true)
  return next()
}
