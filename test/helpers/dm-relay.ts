// A permissive NIP-01 relay on 127.0.0.1 for robot tests: stores every valid event (no replaceable pruning, so
// clients must pick the newest themselves), answers EVENT with OK, REQ with stored events and EOSE, and can
// demand NIP-42 AUTH before accepting events, or refuse every event (a failing relay) until told otherwise.
import type { AddressInfo } from 'node:net'
import { randomBytes } from 'node:crypto'
import { WebSocketServer, type WebSocket } from 'ws'
import { matchFilters, type Filter } from 'nostr-tools/filter'
import { verifyEvent, type NostrEvent } from 'nostr-tools/pure'

export interface DmRelayOptions {
  /** Send an AUTH challenge on connect and refuse events (`auth-required:`) until the client authenticates. */
  auth?: boolean
}

export class DmRelay {
  private wss!: WebSocketServer
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

  constructor(private readonly options: DmRelayOptions = {}) {}

  get url(): string {
    return `ws://127.0.0.1:${this.port}`
  }

  async start(): Promise<this> {
    this.wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
    await new Promise<void>((resolve) => this.wss.once('listening', () => resolve()))
    this.port = (this.wss.address() as AddressInfo).port
    this.wss.on('connection', (ws) => {
      const session = { challenge: randomBytes(16).toString('hex'), pubkey: undefined as string | undefined }
      if (this.options.auth) ws.send(JSON.stringify(['AUTH', session.challenge]))
      ws.on('message', (data) => this.handle(ws, session, data.toString()))
    })
    return this
  }

  /** Stores an event as if someone had published it earlier. */
  seed(...events: NostrEvent[]): void {
    this.events.push(...events)
  }

  private handle(ws: WebSocket, session: { challenge: string; pubkey: string | undefined }, raw: string): void {
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
      this.events.push(event)
      this.accepted.push(event)
      ws.send(JSON.stringify(['OK', event.id, true, '']))
    } else if (msg[0] === 'AUTH') {
      const event = msg[1] as NostrEvent
      const tag = (name: string) => event?.tags?.find((t) => t[0] === name)?.[1]
      const relayTag = tag('relay') ?? ''
      const fresh = Math.abs(event?.created_at - Date.now() / 1000) < 600
      const ok = verifyEvent(event) && event.kind === 22242 && tag('challenge') === session.challenge && relayTag.includes(`127.0.0.1:${this.port}`) && fresh
      if (ok) {
        session.pubkey = event.pubkey
        this.authenticated.push(event.pubkey)
      }
      ws.send(JSON.stringify(['OK', event?.id ?? '', ok, ok ? '' : 'auth-required: bad auth event']))
    } else if (msg[0] === 'REQ') {
      const id = msg[1] as string
      const filters = msg.slice(2) as Filter[]
      this.requests.push(filters)
      for (const e of this.events) if (matchFilters(filters, e)) ws.send(JSON.stringify(['EVENT', id, e]))
      ws.send(JSON.stringify(['EOSE', id]))
    }
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate()
    await new Promise<void>((resolve) => this.wss.close(() => resolve()))
  }
}

/** A URL where nothing listens (a relay that is down). */
export async function deadRelayUrl(): Promise<string> {
  const relay = await new DmRelay().start()
  const url = relay.url
  await relay.close()
  return url
}
