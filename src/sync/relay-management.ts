// NIP-86 relay management, as the platform: JSON-RPC over HTTP to a relay's own host, authorised by NIP-98 from
// the robot, which every relay lists as an admin (role `caravel_admin`, `can_manage`). The engine (or zooid)
// serves every relay on one address and tells them apart by `Host`, so the request goes to the engine's address
// with the relay's host in the header; the NIP-98 `u` is the relay's base URL, as NIP-86 wants.
import http from 'node:http'
import https from 'node:https'
import type { EventTemplate, NostrEvent } from 'nostr-tools/pure'
import { nip98Header } from '../nostr/nip98.js'

export const NIP86_CONTENT_TYPE = 'application/nostr+json+rpc'

/** The relay answered the call with an error (or refused it). */
export class ManagementError extends Error {
  constructor(
    message: string,
    readonly kind: 'disabled' | 'refused' | 'unreachable',
  ) {
    super(message)
  }
}

export interface BannedPubkey {
  pubkey: string
  reason: string
}

export interface BannedEvent {
  id: string
  reason: string
}

export class RelayManagementClient {
  private readonly base: URL

  constructor(
    private readonly options: { engineUrl: string; sign: (t: EventTemplate) => NostrEvent; timeoutMs?: number },
  ) {
    this.base = new URL(options.engineUrl)
  }

  call(relayHost: string, method: string, params: unknown[] = []): Promise<unknown> {
    const body = JSON.stringify({ method, params })
    const scheme = this.base.protocol === 'https:' ? 'https' : 'http'
    const authorization = nip98Header(this.options.sign, { url: `${scheme}://${relayHost}/`, method: 'POST', body })
    const transport = scheme === 'https' ? https : http
    return new Promise((resolve, reject) => {
      const req = transport.request(
        {
          host: this.base.hostname,
          port: this.base.port || (scheme === 'https' ? 443 : 80),
          method: 'POST',
          path: '/',
          servername: relayHost.split(':')[0],
          headers: { host: relayHost, 'content-type': NIP86_CONTENT_TYPE, authorization, 'content-length': Buffer.byteLength(body) },
          timeout: this.options.timeoutMs ?? 10_000,
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => {
            let answer: { result?: unknown; error?: unknown }
            try {
              answer = JSON.parse(Buffer.concat(chunks).toString('utf8'))
            } catch {
              return reject(new ManagementError(`relay answered HTTP ${res.statusCode} without JSON`, 'unreachable'))
            }
            const error = typeof answer.error === 'string' ? answer.error : undefined
            if (res.statusCode === 404 && error === 'management is not enabled') return reject(new ManagementError(error, 'disabled'))
            if (res.statusCode !== 200) return reject(new ManagementError(error ?? `relay answered HTTP ${res.statusCode}`, 'unreachable'))
            if (error) return reject(new ManagementError(error, 'refused'))
            resolve(answer.result)
          })
        },
      )
      req.on('timeout', () => req.destroy(new Error('no answer in time')))
      req.on('error', (err) => reject(new ManagementError(`relay unreachable: ${err.message}`, 'unreachable')))
      req.end(body)
    })
  }

  async allowPubkey(relayHost: string, pubkey: string, reason = ''): Promise<void> {
    await this.call(relayHost, 'allowpubkey', [pubkey, reason])
  }

  async unallowPubkey(relayHost: string, pubkey: string, reason = ''): Promise<void> {
    await this.call(relayHost, 'unallowpubkey', [pubkey, reason])
  }

  async banPubkey(relayHost: string, pubkey: string, reason = ''): Promise<void> {
    await this.call(relayHost, 'banpubkey', [pubkey, reason])
  }

  async unbanPubkey(relayHost: string, pubkey: string, reason = ''): Promise<void> {
    await this.call(relayHost, 'unbanpubkey', [pubkey, reason])
  }

  async banEvent(relayHost: string, id: string, reason = ''): Promise<void> {
    await this.call(relayHost, 'banevent', [id, reason])
  }

  async allowEvent(relayHost: string, id: string, reason = ''): Promise<void> {
    await this.call(relayHost, 'allowevent', [id, reason])
  }

  /**
   * One page of banned pubkeys in pubkey order after `after`. The engine pages with `[limit, after]`; a relay
   * that ignores the parameters answers the whole list, which is paged here the same way.
   */
  async listBannedPubkeys(relayHost: string, page: ListPage = {}): Promise<BannedPubkey[]> {
    const result = await this.call(relayHost, 'listbannedpubkeys', pageParams(page))
    const rows = Array.isArray(result)
      ? result.filter((r): r is BannedPubkey => typeof r?.pubkey === 'string').map((r) => ({ pubkey: r.pubkey, reason: typeof r.reason === 'string' ? r.reason : '' }))
      : []
    return pageAfter(rows, (r) => r.pubkey, page)
  }

  async listBannedEvents(relayHost: string, page: ListPage = {}): Promise<BannedEvent[]> {
    const result = await this.call(relayHost, 'listbannedevents', pageParams(page))
    const rows = Array.isArray(result)
      ? result.filter((r): r is BannedEvent => typeof r?.id === 'string').map((r) => ({ id: r.id, reason: typeof r.reason === 'string' ? r.reason : '' }))
      : []
    return pageAfter(rows, (r) => r.id, page)
  }
}

/** `limit` rows after the key `after` (exclusive), in key order; no limit = all. */
export interface ListPage {
  limit?: number
  after?: string
}

const pageParams = (page: ListPage): unknown[] => (page.limit === undefined ? [] : page.after === undefined ? [page.limit] : [page.limit, page.after])

export function pageAfter<T>(rows: T[], key: (row: T) => string, page: ListPage): T[] {
  const after = page.after
  const sorted = rows.filter((r) => after === undefined || key(r) > after).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
  return page.limit === undefined ? sorted : sorted.slice(0, page.limit)
}
