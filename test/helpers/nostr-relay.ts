// A small in-memory Nostr relay (NIP-01 EVENT/REQ/CLOSE over a real WebSocket) for tests that need a public
// relay: NIP-46 signers, profiles. Ephemeral kinds are only forwarded, like a real relay would.
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import { matchFilters, type Filter } from 'nostr-tools/filter'
import { verifyEvent, type NostrEvent } from 'nostr-tools/pure'

export class LocalNostrRelay {
  private wss!: WebSocketServer
  readonly events: NostrEvent[] = []
  private readonly subs = new Map<WebSocket, Map<string, Filter[]>>()
  port = 0

  get url(): string {
    return `ws://127.0.0.1:${this.port}`
  }

  async start(): Promise<void> {
    this.wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
    await new Promise<void>((resolve) => this.wss.once('listening', () => resolve()))
    this.port = (this.wss.address() as AddressInfo).port
    this.wss.on('connection', (ws) => {
      this.subs.set(ws, new Map())
      ws.on('close', () => this.subs.delete(ws))
      ws.on('message', (data) => this.handle(ws, data.toString()))
    })
  }

  /** Stores (unless ephemeral) and forwards an event to matching subscriptions. */
  publish(event: NostrEvent): void {
    if (!(event.kind >= 20000 && event.kind < 30000)) this.events.push(event)
    for (const [ws, subs] of this.subs) {
      for (const [id, filters] of subs) if (matchFilters(filters, event)) ws.send(JSON.stringify(['EVENT', id, event]))
    }
  }

  private handle(ws: WebSocket, raw: string): void {
    let msg: unknown[]
    try {
      msg = JSON.parse(raw)
    } catch {
      ws.send(JSON.stringify(['NOTICE', 'invalid: not JSON']))
      return
    }
    if (msg[0] === 'EVENT') {
      const event = msg[1] as NostrEvent
      if (!verifyEvent(event)) {
        ws.send(JSON.stringify(['OK', event?.id ?? '', false, 'invalid: bad signature']))
        return
      }
      ws.send(JSON.stringify(['OK', event.id, true, '']))
      this.publish(event)
    } else if (msg[0] === 'REQ') {
      const id = msg[1] as string
      const filters = msg.slice(2) as Filter[]
      this.subs.get(ws)?.set(id, filters)
      // `limit: 0` asks for new events only.
      const stored = filters.filter((f) => f.limit !== 0)
      for (const e of this.events) if (matchFilters(stored, e)) ws.send(JSON.stringify(['EVENT', id, e]))
      ws.send(JSON.stringify(['EOSE', id]))
    } else if (msg[0] === 'CLOSE') {
      this.subs.get(ws)?.delete(msg[1] as string)
    }
  }

  /** Resolves once some client holds a subscription with a filter that `wanted` accepts. */
  async waitForSubscription(wanted: (filter: Filter) => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (![...this.subs.values()].some((subs) => [...subs.values()].some((filters) => filters.some(wanted)))) {
      if (Date.now() > deadline) throw new Error('no matching subscription arrived')
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate()
    await new Promise<void>((resolve) => this.wss.close(() => resolve()))
  }
}
