// The robot's one gateway to Nostr relays: fetch events, publish an event. One short-lived connection per
// relay and call, every step bounded by a timeout, NIP-42 AUTH answered with the robot key when a relay asks.
// Results are per relay, so callers can tell "nobody answered" from "answered, nothing there".
import WebSocket from 'ws'
import type { Filter } from 'nostr-tools/filter'
import { AbstractRelay } from 'nostr-tools/abstract-relay'
import { verifyEvent, type EventTemplate, type NostrEvent, type VerifiedEvent } from 'nostr-tools/pure'

// Node 20 has no global WebSocket (conventions §6): every connection is given `ws` explicitly, so nothing here
// changes nostr-tools' process-wide default.

export type AuthSigner = (template: EventTemplate) => NostrEvent

export interface FetchResult {
  /** Events as received, signature-checked by nostr-tools; callers still check author and kind. */
  events: NostrEvent[]
  /** Relays that answered with EOSE. */
  answered: string[]
  /** Relays that could not be reached, refused, or did not finish in time: url → reason. */
  failed: Record<string, string>
}

export interface PublishResult {
  url: string
  ok: boolean
  /** The relay's OK message, or why it failed. */
  message: string
}

export interface NostrRelays {
  fetch(urls: readonly string[], filter: Filter, options?: { auth?: AuthSigner }): Promise<FetchResult>
  publish(urls: readonly string[], event: NostrEvent, options?: { auth?: AuthSigner }): Promise<PublishResult[]>
}

function reason(err: unknown): string {
  const text = err instanceof Error ? err.message : typeof err === 'string' ? err : 'failed'
  return text.slice(0, 300)
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

function isAuthRequired(err: unknown): boolean {
  return reason(err).startsWith('auth-required:')
}

/**
 * A WebSocket class that dials `address` whatever URL it is given, sending `host` as the `Host` header: the
 * relays Caravel hosts are reached at their engine's address, as a reverse proxy would.
 */
function dialing(address: string, host: string): typeof WebSocket {
  return class extends WebSocket {
    constructor() {
      super(address, { headers: { host } })
    }
  } as typeof WebSocket
}

// nostr-tools types its socket as the DOM WebSocket; `ws` implements what it uses.
type SocketClass = NonNullable<ConstructorParameters<typeof AbstractRelay>[1]['websocketImplementation']>

/** Where to connect for a relay URL: undefined = the URL itself. */
export type RelayRoute = (url: string) => string | undefined | Promise<string | undefined>

export class RelayGateway implements NostrRelays {
  private readonly timeoutMs: number
  private readonly route: RelayRoute

  constructor(options: { timeoutMs?: number; route?: RelayRoute } = {}) {
    this.timeoutMs = options.timeoutMs ?? 5000
    this.route = options.route ?? (() => undefined)
  }

  async fetch(urls: readonly string[], filter: Filter, options: { auth?: AuthSigner } = {}): Promise<FetchResult> {
    const result: FetchResult = { events: [], answered: [], failed: {} }
    await Promise.all(
      urls.map(async (url) => {
        try {
          result.events.push(...(await this.fetchFrom(url, filter, options.auth)))
          result.answered.push(url)
        } catch (err) {
          result.failed[url] = reason(err)
        }
      }),
    )
    return result
  }

  publish(urls: readonly string[], event: NostrEvent, options: { auth?: AuthSigner } = {}): Promise<PublishResult[]> {
    return Promise.all(
      urls.map(async (url) => {
        try {
          return { url, ok: true, message: await this.publishTo(url, event, options.auth) }
        } catch (err) {
          return { url, ok: false, message: reason(err) }
        }
      }),
    )
  }

  private async connect(url: string): Promise<AbstractRelay> {
    const address = await this.route(url)
    const websocketImplementation = address ? dialing(address, new URL(url).host) : undefined
    const relay = new AbstractRelay(url, { verifyEvent, enablePing: false, enableReconnect: false, websocketImplementation: (websocketImplementation ?? WebSocket) as unknown as SocketClass })
    relay.onnotice = () => {}
    relay.publishTimeout = this.timeoutMs
    // Our own timer decides when a REQ has taken too long; nostr-tools' would report a silent relay as EOSE.
    relay.baseEoseTimeout = this.timeoutMs * 4
    try {
      // nostr-tools rejects with a bare string here; turn it into an Error.
      await relay.connect({ timeout: this.timeoutMs }).catch((err: unknown) => {
        throw new Error(`connect: ${reason(err)}`)
      })
    } catch (err) {
      relay.close()
      throw err
    }
    return relay
  }

  private async authenticate(relay: AbstractRelay, sign: AuthSigner): Promise<void> {
    await withTimeout(
      relay.auth(async (template) => sign(template) as VerifiedEvent),
      this.timeoutMs,
      'auth',
    )
  }

  private async fetchFrom(url: string, filter: Filter, sign: AuthSigner | undefined): Promise<NostrEvent[]> {
    const relay = await this.connect(url)
    try {
      try {
        return await this.request(relay, filter)
      } catch (err) {
        if (!sign || !isAuthRequired(err)) throw err
        await this.authenticate(relay, sign)
        return await this.request(relay, filter)
      }
    } finally {
      relay.close()
    }
  }

  private request(relay: AbstractRelay, filter: Filter): Promise<NostrEvent[]> {
    return new Promise((resolve, reject) => {
      const events: NostrEvent[] = []
      let done = false
      const finish = (err?: Error) => {
        if (done) return
        done = true
        clearTimeout(timer)
        if (err) reject(err)
        else resolve(events)
      }
      const timer = setTimeout(() => {
        finish(new Error('no EOSE in time'))
        sub.close()
      }, this.timeoutMs)
      const sub = relay.subscribe([filter], {
        onevent: (event) => events.push(event),
        oneose: () => {
          finish()
          sub.close()
        },
        onclose: (why) => finish(new Error(why || 'closed')),
      })
    })
  }

  private async publishTo(url: string, event: NostrEvent, sign: AuthSigner | undefined): Promise<string> {
    const relay = await this.connect(url)
    try {
      const once = () => withTimeout(relay.publish(event), this.timeoutMs + 1000, 'publish')
      try {
        return await once()
      } catch (err) {
        if (!sign || !isAuthRequired(err)) throw err
        await this.authenticate(relay, sign)
        return await once()
      }
    } finally {
      relay.close()
    }
  }
}
