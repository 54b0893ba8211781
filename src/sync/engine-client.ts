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

  /**
   * The engine does not have the route at all (zooid without Caravel's extensions), as opposed to a missing relay
   * or invite: its router answers 404 `not found` (or something that is not our JSON), or 405.
   */
  get unsupported(): boolean {
    return this.status === 405 || (this.status === 404 && !/^(relay|invite) not found$/.test(this.message))
  }
}

/** How a member came in (Caravel engine extension; null when the engine does not know). */
export interface EngineMember {
  pubkey: string
  joined_at: number | null
  via: 'invite' | 'claim' | 'public' | 'api' | null
  code: string | null
}

export interface EngineInvite {
  code: string
  label: string
  created_at: number
  max_uses: number | null
  expires_at: number | null
  revoked: boolean
  uses: number
  joins: { pubkey: string; joined_at: number }[]
}

export interface EngineInviteInput {
  label?: string
  max_uses?: number | null
  expires_at?: number | null
}

export interface EngineStats {
  connections: number
  storage_bytes: number
  events_total: number
  members: number
  daily: { day: string; events: Record<string, number>; members: number }[]
}

export interface EngineImportSummary {
  accepted: number
  skipped: number
  refused: { line: number; reason: string }[]
}

/** The largest import chunk the engine takes (its management API body limit). */
export const IMPORT_CHUNK_LIMIT = 1_048_576

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

  /** Members with how they joined (Caravel engine extension). */
  async listMembersDetailed(id: string): Promise<EngineMember[]> {
    const body = (await this.call('GET', `${this.relayPath(id)}/members?detail=true`)) as { members?: unknown }
    if (!Array.isArray(body.members)) throw new EngineError('the engine answered members without a list', 200)
    // An engine that ignores `detail` answers plain pubkeys.
    return body.members.map((m: unknown) =>
      typeof m === 'string' ? { pubkey: m, joined_at: null, via: null, code: null } : (m as EngineMember),
    )
  }

  async listInvites(id: string): Promise<EngineInvite[]> {
    const body = (await this.call('GET', `${this.relayPath(id)}/invites`)) as { invites?: EngineInvite[] }
    return body.invites ?? []
  }

  async createInvite(id: string, input: EngineInviteInput): Promise<EngineInvite> {
    return (await this.call('POST', `${this.relayPath(id)}/invites`, input)) as EngineInvite
  }

  async revokeInvite(id: string, code: string): Promise<EngineInvite> {
    return (await this.call('DELETE', `${this.relayPath(id)}/invites/${encodeURIComponent(code)}`)) as EngineInvite
  }

  async stats(id: string, days: number): Promise<EngineStats> {
    return (await this.call('GET', `${this.relayPath(id)}/stats?days=${days}`)) as EngineStats
  }

  /** Imports one chunk of JSONL whose first line is line `firstLine` of the file. */
  async importEvents(id: string, jsonl: Buffer, firstLine: number): Promise<EngineImportSummary> {
    return (await this.call('POST', `${this.relayPath(id)}/import?first_line=${firstLine}`, jsonl)) as EngineImportSummary
  }

  /** The relay's events as a JSONL stream, and how many the engine counted when it began. */
  async exportEvents(id: string): Promise<{ body: ReadableStream<Uint8Array>; count: number | null }> {
    // No timeout on the transfer itself: a million events take a while. Connecting is bounded.
    const res = await this.send('GET', `${this.relayPath(id)}/export`, undefined, { timeout: false })
    if (res.status !== 200 || !res.body) throw await this.failure(res)
    const count = Number(res.headers.get('x-event-count'))
    return { body: res.body, count: Number.isSafeInteger(count) && count >= 0 ? count : null }
  }

  private relayPath(id: string): string {
    return `/relay/${encodeURIComponent(id)}`
  }

  private async send(method: string, pathAndQuery: string, body: unknown, options: { timeout?: boolean } = {}): Promise<Response> {
    const raw = body === undefined ? undefined : Buffer.isBuffer(body) ? body : JSON.stringify(body)
    const path = pathAndQuery.split('?')[0]!
    const headers: Record<string, string> = {
      authorization: nip98Header(this.options.sign, { url: this.base + path, method, body: raw }),
    }
    if (raw !== undefined) headers['content-type'] = Buffer.isBuffer(raw) ? 'application/x-ndjson' : 'application/json'
    try {
      return await fetch(this.base + pathAndQuery, {
        method,
        headers,
        body: raw,
        signal: options.timeout === false ? undefined : AbortSignal.timeout(this.timeoutMs),
      })
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } }
      const reason = e.name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : (e.cause?.code ?? e.message)
      throw new EngineError(`engine unreachable: ${reason}`, undefined)
    }
  }

  private async failure(res: Response): Promise<EngineError> {
    const text = await res.text().catch(() => '')
    let error: unknown
    try {
      error = (JSON.parse(text) as { error?: unknown }).error
    } catch {
      error = undefined
    }
    return new EngineError(typeof error === 'string' ? error : `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`, res.status)
  }

  private async call(method: string, pathAndQuery: string, body?: unknown): Promise<unknown> {
    const res = await this.send(method, pathAndQuery, body)
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
