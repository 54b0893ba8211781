// The platform's only way to the relay engine: zooid's management HTTP API, signed with NIP-98 by the robot.
// The same client drives the embedded engine and an external zooid server, so it follows zooid's contract:
// a fresh token per request with `u` = scheme://host/path, `method` and `payload`; `{"error": …}` bodies
// and any status other than 200/201 are failures.
import type { EventTemplate, NostrEvent } from 'nostr-tools/pure'
import { nip98Header } from '../nostr/nip98.js'

/** The relay config object of zooid's API (engine.md §3). */
export interface EngineRelayConfig {
  host: string
  schema: string
  secret?: string
  inactive: boolean
  info: { name: string; icon: string; description: string; pubkey: string }
  policy: { public_join: boolean; strip_signatures: boolean; max_members?: number | null; exempt_kinds?: number[] }
  groups: { enabled: boolean }
  management: { enabled: boolean }
  blossom: { enabled: boolean } & Record<string, unknown>
  livekit: { enabled?: boolean; server_url: string; api_key: string; api_secret: string }
  push: { enabled: boolean }
  roles: Record<string, { pubkeys: string[]; can_invite?: boolean; can_manage?: boolean }>
}

export class EngineError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
  ) {
    super(message)
  }
}

export interface EngineClientOptions {
  /** Base URL of the management API, e.g. `http://127.0.0.1:3334`. */
  baseUrl: string
  sign: (template: EventTemplate) => NostrEvent
  timeoutMs?: number
}

export class EngineClient {
  private readonly base: string
  private readonly timeoutMs: number

  constructor(private readonly options: EngineClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '')
    this.timeoutMs = options.timeoutMs ?? 10_000
  }

  get baseUrl(): string {
    return this.base
  }

  /** Creates the relay with its full config and secret. */
  createRelay(id: string, config: EngineRelayConfig): Promise<void> {
    return this.call('POST', `/relay/${encodeURIComponent(id)}`, config).then(() => undefined)
  }

  /** Changes an existing relay; never carries the secret. */
  patchRelay(id: string, patch: Omit<Partial<EngineRelayConfig>, 'secret'>): Promise<void> {
    if ('secret' in patch) throw new Error('a PATCH never carries the relay secret')
    return this.call('PATCH', `/relay/${encodeURIComponent(id)}`, patch).then(() => undefined)
  }

  deleteRelay(id: string, options: { purge?: boolean } = {}): Promise<void> {
    return this.call('DELETE', `/relay/${encodeURIComponent(id)}${options.purge ? '?purge=true' : ''}`).then(() => undefined)
  }

  /** Member pubkeys; an older zooid without the route (404/405) reads as none. */
  async listMembers(id: string): Promise<string[]> {
    try {
      const body = (await this.call('GET', `/relay/${encodeURIComponent(id)}/members`)) as { members?: unknown }
      return Array.isArray(body.members) ? body.members.filter((m): m is string => typeof m === 'string') : []
    } catch (err) {
      if (err instanceof EngineError && (err.status === 405 || (err.status === 404 && err.message !== 'relay not found'))) return []
      throw err
    }
  }

  private async call(method: string, pathAndQuery: string, body?: unknown): Promise<unknown> {
    const raw = body === undefined ? undefined : JSON.stringify(body)
    const path = pathAndQuery.split('?')[0]!
    const headers: Record<string, string> = {
      authorization: nip98Header(this.options.sign, { url: this.base + path, method, body: raw }),
    }
    if (raw !== undefined) headers['content-type'] = 'application/json'
    let res: Response
    try {
      res = await fetch(this.base + pathAndQuery, { method, headers, body: raw, signal: AbortSignal.timeout(this.timeoutMs) })
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } }
      const reason = e.name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : (e.cause?.code ?? e.message)
      throw new EngineError(`engine unreachable: ${reason}`, undefined)
    }
    let text: string
    try {
      text = await res.text()
    } catch (err) {
      throw new EngineError(`engine response cut off: ${(err as Error).message}`, res.status)
    }
    let parsed: unknown
    try {
      parsed = text ? JSON.parse(text) : {}
    } catch {
      parsed = undefined
    }
    const error = typeof parsed === 'object' && parsed !== null ? (parsed as { error?: unknown }).error : undefined
    if ((res.status === 200 || res.status === 201) && error === undefined) return parsed ?? {}
    const message = typeof error === 'string' ? error : `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`
    throw new EngineError(message, res.status)
  }
}
