// One WebSocket client of one relay: NIP-01 message handling, NIP-42 state and live subscriptions.
import type { WebSocket } from 'ws'
import type { NostrEvent } from 'nostr-tools/pure'
import {
  filterIsEmpty,
  LIMITS,
  matchesAny,
  parseFilter,
  stripSignature,
  type Filter,
} from './nip01.js'
import { newChallenge, verifyAuthEvent } from './nip42.js'
import { INVITE_KIND } from './nip43.js'
import { checkReadGates, runWritePipeline } from './policies.js'
import { nowSeconds, type VirtualRelay } from './relay.js'
import { canSee, canSeeStored, type Viewer } from './visibility.js'

/** Outgoing bytes a connection may have queued before it is dropped as a slow consumer. */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024

export class Connection {
  readonly challenge = newChallenge()
  readonly authed = new Set<string>()
  private readonly subs = new Map<string, Filter[]>()
  private closed = false

  constructor(
    private readonly ws: WebSocket,
    readonly relay: VirtualRelay,
  ) {
    relay.connections.add(this)
    ws.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary))
    ws.on('close', () => this.dispose())
    ws.on('error', () => this.dispose())
    this.send(JSON.stringify(['AUTH', this.challenge]))
  }

  close(code: number, reason: string): void {
    this.dispose()
    this.ws.close(code, reason)
  }

  private dispose(): void {
    this.closed = true
    this.subs.clear()
    this.relay.detach(this)
  }

  private send(message: string): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return
    // A client that stops reading must not make the engine buffer without bound.
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.dispose()
      this.ws.terminate()
      return
    }
    this.ws.send(message)
  }

  private notice(message: string): void {
    this.send(JSON.stringify(['NOTICE', message]))
  }

  private ok(id: string, ok: boolean, message: string): void {
    this.send(JSON.stringify(['OK', id, ok, message]))
  }

  private closedSub(subId: string, reason: string): void {
    this.send(JSON.stringify(['CLOSED', subId, reason]))
  }

  private viewer(): Viewer {
    let member = false
    let admin = false
    for (const pk of this.authed) {
      if (this.relay.isMember(pk)) member = true
      if (this.relay.isAdmin(pk)) admin = true
    }
    return { authed: this.authed, member, admin }
  }

  private render(json: string, viewer: Viewer): string {
    return this.relay.config.policy.strip_signatures && !viewer.admin ? stripSignature(json) : json
  }

  /** Live delivery of a newly accepted event to matching subscriptions. */
  deliver(event: NostrEvent, json: string): void {
    if (this.subs.size === 0 || this.closed) return
    let viewer: Viewer | undefined
    for (const [subId, filters] of this.subs) {
      if (!matchesAny(filters, event)) continue
      viewer ??= this.viewer()
      if (!canSee(viewer, event, this.relay.self, this.relay.groups, this.relay.exemptKinds)) return
      this.send(`["EVENT",${JSON.stringify(subId)},${this.render(json, viewer)}]`)
    }
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.closed) return
    if (isBinary) return this.notice('invalid: binary messages are not supported')
    let message: unknown
    try {
      message = JSON.parse(data.toString('utf8'))
    } catch {
      return this.notice('invalid: message is not valid JSON')
    }
    if (!Array.isArray(message) || typeof message[0] !== 'string') {
      return this.notice('invalid: message must be a JSON array starting with a string')
    }
    try {
      switch (message[0]) {
        case 'EVENT':
          return this.onEvent(message[1])
        case 'REQ':
          return this.onReq(message)
        case 'CLOSE':
          if (typeof message[1] !== 'string') return this.notice('invalid: CLOSE needs a subscription id')
          this.subs.delete(message[1])
          return
        case 'AUTH':
          return this.onAuth(message[1])
        case 'COUNT':
          if (typeof message[1] !== 'string') return this.notice('invalid: COUNT needs a subscription id')
          return this.closedSub(message[1], 'unsupported: COUNT is not supported')
        default:
          return this.notice(`invalid: unknown message type ${JSON.stringify(message[0].slice(0, 32))}`)
      }
    } catch (err) {
      this.relay.log.error({ err, relay: this.relay.id }, 'message handling failed')
      this.notice('error: internal error')
    }
  }

  private onEvent(raw: unknown): void {
    if (typeof raw !== 'object' || raw === null || typeof (raw as { id?: unknown }).id !== 'string') {
      return this.notice('invalid: EVENT needs an event object with an id')
    }
    const event = raw as NostrEvent
    const id = event.id
    const verdict = runWritePipeline({ relay: this.relay, authed: this.authed, event, now: nowSeconds() })
    if (verdict !== 'store') return this.ok(id, verdict.ok, verdict.message)
    this.relay.accept(event).then(
      (outcome) => this.ok(id, outcome.ok, outcome.message),
      () => this.ok(id, false, 'error: could not store event'),
    )
  }

  private onAuth(raw: unknown): void {
    if (typeof raw !== 'object' || raw === null) return this.notice('invalid: AUTH needs an event object')
    const id = typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : ''
    const result = verifyAuthEvent(raw, this.challenge, this.relay.config.host, nowSeconds())
    if (!result.ok) return this.ok(id, false, result.reason)
    this.authed.add(result.pubkey)
    this.ok(id, true, '')
  }

  private onReq(message: unknown[]): void {
    const subId = message[1]
    if (typeof subId !== 'string' || subId.length === 0) return this.notice('invalid: REQ needs a subscription id')
    if (subId.length > LIMITS.max_subid_length) return this.closedSub(subId, 'invalid: subscription id is too long')
    const rawFilters = message.slice(2)
    if (rawFilters.length > LIMITS.max_filters) {
      return this.closedSub(subId, `invalid: too many filters (max ${LIMITS.max_filters})`)
    }
    let filters: Filter[]
    try {
      filters = rawFilters.map(parseFilter)
    } catch (err) {
      return this.closedSub(subId, `invalid: ${(err as Error).message}`)
    }
    const denied = checkReadGates({ relay: this.relay, authed: this.authed, filters })
    if (denied) {
      this.subs.delete(subId)
      return this.closedSub(subId, denied)
    }
    if (!this.subs.has(subId) && this.subs.size >= LIMITS.max_subscriptions) {
      return this.closedSub(subId, 'error: too many subscriptions')
    }
    if (filters.some((f) => f.kinds?.includes(INVITE_KIND))) {
      for (const pk of this.authed) if (this.relay.isInviter(pk)) this.relay.ensureInvite(pk)
    }
    this.subs.set(subId, filters)
    const viewer = this.viewer()
    const now = nowSeconds()
    const sent = new Set<string>()
    const prefix = `["EVENT",${JSON.stringify(subId)},`
    for (const f of filters) {
      if (filterIsEmpty(f)) continue
      for (const row of this.relay.store.query(f, now)) {
        if (filters.length > 1) {
          if (sent.has(row.id)) continue
          sent.add(row.id)
        }
        if (!canSeeStored(viewer, row, this.relay.self, this.relay.groups, this.relay.exemptKinds)) continue
        this.send(prefix + this.render(row.json, viewer) + ']')
      }
    }
    this.send(JSON.stringify(['EOSE', subId]))
  }
}
