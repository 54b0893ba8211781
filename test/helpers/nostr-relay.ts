// A small in-memory Nostr relay (NIP-01 EVENT/REQ/CLOSE over a real WebSocket on 127.0.0.1) for tests that need a
// public relay: NIP-46 signers, NWC wallets, profiles, DM inboxes. Ephemeral kinds are only forwarded, like a real
// relay would; replaceable events are not pruned (clients pick the newest themselves). It can demand NIP-42 AUTH
// before accepting events (`auth`), or refuse every event (`refuse`, a failing relay) until told otherwise.
import type { AddressInfo } from 'node:net'
import { randomBytes } from 'node:crypto'
import { WebSocketServer, type WebSocket } from 'ws'
import { matchFilters, type Filter } from 'nostr-tools/filter'
import { verifyEvent, type NostrEvent } from 'nostr-tools/pure'

export interface LocalRelayOptions {
  /** Send an AUTH challenge on connect and refuse events (`auth-required:`) until the client authenticates. */
  auth?: boolean
}

interface Session {
  challenge: string
  pubkey: string | undefined
  subs: Map<string, Filter[]>
}

export class LocalNostrRelay {
  private wss!: WebSocketServer
  private readonly sessions = new Map<WebSocket, Session>()
  /** Every event stored, in arrival order (seeded ones included). */
  readonly events: NostrEvent[] = []
  /** Events received over EVENT and accepted. */
  readonly accepted: NostrEvent[] = []
  /** Filters of every REQ received. */
  readonly requests: Filter[][] = []
  /** Pubkeys that completed NIP-42 AUTH. */
  readonly authenticated: string[] = []
  /** When set, every EVENT is answered `OK false` with this message. */
  refuse: string | undefined
  port = 0

  constructor(private readonly options: LocalRelayOptions = {}) {}

  get url(): string {
    return `ws://127.0.0.1:${this.port}`
  }

  async start(): Promise<this> {
    this.wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
    await new Promise<void>((resolve) => this.wss.once('listening', () => resolve()))
    this.port = (this.wss.address() as AddressInfo).port
    this.wss.on('connection', (ws) => {
      const session: Session = { challenge: randomBytes(16).toString('hex'), pubkey: undefined, subs: new Map() }
      this.sessions.set(ws, session)
      if (this.options.auth) ws.send(JSON.stringify(['AUTH', session.challenge]))
      ws.on('close', () => this.sessions.delete(ws))
      ws.on('message', (data) => this.handle(ws, session, data.toString()))
    })
    return this
  }

  /** Stores an event as if someone had published it earlier. */
  seed(...events: NostrEvent[]): void {
    this.events.push(...events)
  }

  /** Stores (unless ephemeral) and forwards an event to matching subscriptions. */
  publish(event: NostrEvent): void {
    if (!(event.kind >= 20000 && event.kind < 30000)) this.events.push(event)
    for (const [ws, session] of this.sessions) {
      for (const [id, filters] of session.subs) if (matchFilters(filters, event)) ws.send(JSON.stringify(['EVENT', id, event]))
    }
  }

  private handle(ws: WebSocket, session: Session, raw: string): void {
    let msg: unknown[]
    try {
      msg = JSON.parse(raw)
    } catch {
      ws.send(JSON.stringify(['NOTICE', 'invalid: not JSON']))
      return
    }
    if (msg[0] === 'EVENT') {
      const event = msg[1] as NostrEvent
      if (!verifyEvent(event)) return void ws.send(JSON.stringify(['OK', event?.id ?? '', false, 'invalid: bad signature']))
      if (this.options.auth && !session.pubkey) return void ws.send(JSON.stringify(['OK', event.id, false, 'auth-required: authenticate first']))
      if (this.refuse !== undefined) return void ws.send(JSON.stringify(['OK', event.id, false, this.refuse]))
      this.accepted.push(event)
      ws.send(JSON.stringify(['OK', event.id, true, '']))
      this.publish(event)
    } else if (msg[0] === 'AUTH') {
      const event = msg[1] as NostrEvent
      const tag = (name: string) => event?.tags?.find((t) => t[0] === name)?.[1]
      const fresh = Math.abs(event?.created_at - Date.now() / 1000) < 600
      const ok =
        verifyEvent(event) && event.kind === 22242 && tag('challenge') === session.challenge && (tag('relay') ?? '').includes(`127.0.0.1:${this.port}`) && fresh
      if (ok) {
        session.pubkey = event.pubkey
        this.authenticated.push(event.pubkey)
      }
      ws.send(JSON.stringify(['OK', event?.id ?? '', ok, ok ? '' : 'auth-required: bad auth event']))
    } else if (msg[0] === 'REQ') {
      const id = msg[1] as string
      const filters = msg.slice(2) as Filter[]
      this.requests.push(filters)
      session.subs.set(id, filters)
      // `limit: 0` asks for new events only.
      const stored = filters.filter((f) => f.limit !== 0)
      for (const e of this.events) if (matchFilters(stored, e)) ws.send(JSON.stringify(['EVENT', id, e]))
      ws.send(JSON.stringify(['EOSE', id]))
    } else if (msg[0] === 'CLOSE') {
      session.subs.delete(msg[1] as string)
    }
  }

  /** Resolves once some client holds a subscription with a filter that `wanted` accepts. */
  async waitForSubscription(wanted: (filter: Filter) => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (![...this.sessions.values()].some((s) => [...s.subs.values()].some((filters) => filters.some(wanted)))) {
      if (Date.now() > deadline) throw new Error('no matching subscription arrived')
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate()
    await new Promise<void>((resolve) => this.wss.close(() => resolve()))
  }
}

/** A URL where nothing listens (a relay that is down). */
export async function deadRelayUrl(): Promise<string> {
  const relay = await new LocalNostrRelay().start()
  const url = relay.url
  await relay.close()
  return url
}
