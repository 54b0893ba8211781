import type { HttpBindings } from '@hono/node-server'
import type { RelayRow } from '../db/schema.js'

export interface Auth {
  pubkey: string
  via: 'nip98' | 'session'
  /** For a session: its token's hash and when it expires (unix seconds). */
  session?: { hash: string; expiresAt: number }
}

export interface ApiEnv {
  Bindings: Partial<HttpBindings>
  Variables: {
    auth: Auth | undefined
    /** Set when a session cookie was sent but is unknown or expired. */
    sessionInvalid: boolean
    isAdmin: boolean
    /** Loaded by the relay guard. */
    relay: RelayRow
    /** Set by routes whose answer depends only on the caller, the URL and the database (see response-cache.ts). */
    cacheable: boolean
  }
}
