import type { HttpBindings } from '@hono/node-server'
import type { RelayRow } from '../db/schema.js'

export interface Auth {
  pubkey: string
  via: 'nip98' | 'session'
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
  }
}
