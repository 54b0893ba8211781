// The API client: `{data, code:"ok"}` / `{error, code}` envelopes, same-origin session cookie. The resource
// shapes come from the API's own schemas (src/api/schemas.ts), so the dashboard and the server cannot disagree.
import type { z } from '@hono/zod-openapi'
import type {
  ActivitySchema,
  BannedEventSchema,
  BannedPubkeySchema,
  EngineSchema,
  IdentitySchema,
  ImportSummarySchema,
  InviteCreateSchema,
  InviteSchema,
  InvoiceSchema,
  LightningPaymentSchema,
  MemberSchema,
  MembersSchema,
  MoveSchema,
  PlanSchema,
  PublicConfigSchema,
  RelayDetailSchema,
  RelaySchema,
  RelayUpdateSchema,
  StatsSchema,
  TenantSchema,
} from '../../../src/api/schemas'
import { ApiError } from './errors'

export type RelayStatus = 'active' | 'inactive' | 'delinquent'

export type Plan = z.infer<typeof PlanSchema>

export interface Flags {
  policy_public_join: boolean
  policy_strip_signatures: boolean
  groups_enabled: boolean
  management_enabled: boolean
  blossom_enabled: boolean
  livekit_enabled: boolean
  push_enabled: boolean
}

export type Relay = z.infer<typeof RelaySchema>

export interface MemberCount {
  used: number
  allowed: number | null
}

export type RelayDetail = z.infer<typeof RelayDetailSchema>

export type Tenant = z.infer<typeof TenantSchema>

export type Invoice = z.infer<typeof InvoiceSchema>

export type LightningStatus = 'none' | 'pending' | 'paid' | 'expired' | 'in-progress'

export type LightningPayment = z.infer<typeof LightningPaymentSchema>

export interface SessionState {
  signed_in: boolean
  pubkey: string | null
}

export type Activity = z.infer<typeof ActivitySchema>

export type Identity = z.infer<typeof IdentitySchema>

export type PublicConfig = z.infer<typeof PublicConfigSchema>

export interface Page<T> {
  items: T[]
  next_cursor: string | null
}

export interface Availability {
  subdomain: string
  available: boolean
  reason: string | null
  reason_code: string | null
}

export type RelayPatch = z.infer<typeof RelayUpdateSchema>
export type RelayCreate = RelayPatch & { subdomain: string; plan: string }

export type Member = z.infer<typeof MemberSchema>

export type MemberRole = Member['role']

export type Members = z.infer<typeof MembersSchema>

export type Invite = z.infer<typeof InviteSchema>

export type InviteJoin = Invite['joins'][number]

export type InviteCreate = z.infer<typeof InviteCreateSchema>

export type BannedPubkey = z.infer<typeof BannedPubkeySchema>

export type BannedEvent = z.infer<typeof BannedEventSchema>

export type RelayStats = z.infer<typeof StatsSchema>

export type ImportResult = z.infer<typeof ImportSummarySchema>

/** `GET /api/engines` (admins). */
export type Engine = z.infer<typeof EngineSchema>

/** `POST /api/relays/{id}/move`: the relay on its new engine and what was moved. */
export type RelayMove = z.infer<typeof MoveSchema>

/** Called when a guarded request finds the session gone, so the app can show the sign-in page. */
let onSignedOut: (() => void) | undefined
export function setSignedOutHandler(handler: () => void): void {
  onSignedOut = handler
}

export interface RequestOptions {
  authorization?: string
  signal?: AbortSignal
  /** For a body that is not JSON (the NDJSON of an import). */
  contentType?: string
}

/** One API call. The body is serialised once; that exact string is what a NIP-98 payload hash covers. */
export async function request<T>(method: string, path: string, body?: string | Uint8Array<ArrayBuffer>, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json'
  if (options.authorization) headers.authorization = options.authorization
  let res: Response
  try {
    res = await fetch(path, { method, headers, body, credentials: 'same-origin', signal: options.signal })
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err
    throw new ApiError(0, 'network', (err as Error).message)
  }
  if (res.status === 204) return undefined as T
  let json: { data?: T; error?: string; code?: string }
  try {
    json = await res.json()
  } catch {
    throw new ApiError(res.status, res.ok ? 'bad-response' : 'internal-error', `HTTP ${res.status}`)
  }
  if (!res.ok || json.code !== 'ok') {
    const code = json.code ?? 'internal-error'
    if (res.status === 401 && !options.authorization) onSignedOut?.()
    throw new ApiError(res.status, code, json.error ?? '')
  }
  return json.data as T
}

const q = (params: Record<string, string | number | undefined>) => {
  const search = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') search.set(k, String(v))
  const s = search.toString()
  return s ? `?${s}` : ''
}

const json = (value: unknown) => JSON.stringify(value)

export const relayPath = (id: string) => `/api/relays/${encodeURIComponent(id)}`

export const api = {
  config: () => request<PublicConfig>('GET', '/api/config'),
  plans: () => request<Plan[]>('GET', '/api/plans'),
  identity: () => request<Identity>('GET', '/api/identity'),
  session: () => request<SessionState>('GET', '/api/session'),
  openSession: (authorization: string) => request<{ pubkey: string; expires_at: number }>('POST', '/api/session', undefined, { authorization }),
  closeSession: () => request<void>('DELETE', '/api/session'),
  ensureTenant: () => request<Tenant>('POST', '/api/tenants'),
  tenant: (pubkey: string) => request<Tenant>('GET', `/api/tenants/${encodeURIComponent(pubkey)}`),
  setWallet: (pubkey: string, nwcUrl: string | null) => request<Tenant>('PUT', `/api/tenants/${encodeURIComponent(pubkey)}`, json({ nwc_url: nwcUrl })),
  invoices: (pubkey: string, p: { cursor?: string; limit?: number } = {}) =>
    request<Page<Invoice>>('GET', `/api/tenants/${encodeURIComponent(pubkey)}/invoices${q(p)}`),
  portal: (pubkey: string) => request<{ url: string }>('POST', `/api/tenants/${encodeURIComponent(pubkey)}/portal`),
  payWithLightning: (invoiceId: string) => request<LightningPayment>('POST', `/api/invoices/${encodeURIComponent(invoiceId)}/lightning`),
  lightningStatus: (invoiceId: string) => request<LightningPayment>('GET', `/api/invoices/${encodeURIComponent(invoiceId)}/lightning`),
  tenants: (p: { q?: string; cursor?: string; limit?: number } = {}) => request<Page<Tenant>>('GET', `/api/tenants${q(p)}`),
  tenantRelays: (pubkey: string, p: { cursor?: string; limit?: number } = {}) =>
    request<Page<Relay>>('GET', `/api/tenants/${encodeURIComponent(pubkey)}/relays${q(p)}`),
  relays: (p: { status?: string; plan?: string; sync?: string; q?: string; cursor?: string; limit?: number } = {}) =>
    request<Page<Relay>>('GET', `/api/relays${q(p)}`),
  relay: (id: string) => request<RelayDetail>('GET', `/api/relays/${encodeURIComponent(id)}`),
  createRelay: (input: RelayCreate) => request<Relay>('POST', '/api/relays', json(input)),
  updateRelay: (id: string, patch: RelayPatch) => request<Relay>('PUT', `/api/relays/${encodeURIComponent(id)}`, json(patch)),
  deactivate: (id: string) => request<Relay>('POST', `/api/relays/${encodeURIComponent(id)}/deactivate`),
  activate: (id: string) => request<Relay>('POST', `/api/relays/${encodeURIComponent(id)}/activate`),
  sync: (id: string) => request<Relay>('POST', `/api/relays/${encodeURIComponent(id)}/sync`),
  engines: () => request<{ items: Engine[] }>('GET', '/api/engines'),
  moveRelay: (id: string, engine: string) => request<RelayMove>('POST', `${relayPath(id)}/move`, json({ engine })),
  activity: (id: string, p: { cursor?: string; limit?: number } = {}) =>
    request<Page<Activity>>('GET', `/api/relays/${encodeURIComponent(id)}/activity${q(p)}`),
  members: (id: string) => request<Members>('GET', `${relayPath(id)}/members`),
  addMember: (id: string, pubkey: string) => request<unknown>('POST', `${relayPath(id)}/members`, json({ pubkey })),
  removeMember: (id: string, pubkey: string) => request<unknown>('DELETE', `${relayPath(id)}/members/${encodeURIComponent(pubkey)}`),
  invites: (id: string) => request<{ items: Invite[] }>('GET', `${relayPath(id)}/invites`),
  createInvite: (id: string, input: InviteCreate) => request<Invite>('POST', `${relayPath(id)}/invites`, json(input)),
  revokeInvite: (id: string, code: string) => request<Invite>('DELETE', `${relayPath(id)}/invites/${encodeURIComponent(code)}`),
  bans: (id: string, p: { cursor?: string; limit?: number } = {}) => request<Page<BannedPubkey>>('GET', `${relayPath(id)}/bans${q(p)}`),
  ban: (id: string, pubkey: string, reason: string) => request<unknown>('POST', `${relayPath(id)}/bans`, json({ pubkey, reason })),
  unban: (id: string, pubkey: string) => request<unknown>('DELETE', `${relayPath(id)}/bans/${encodeURIComponent(pubkey)}`),
  bannedEvents: (id: string, p: { cursor?: string; limit?: number } = {}) => request<Page<BannedEvent>>('GET', `${relayPath(id)}/banned-events${q(p)}`),
  banEvent: (id: string, eventId: string, reason: string) => request<unknown>('POST', `${relayPath(id)}/banned-events`, json({ id: eventId, reason })),
  unbanEvent: (id: string, eventId: string) => request<unknown>('DELETE', `${relayPath(id)}/banned-events/${encodeURIComponent(eventId)}`),
  stats: (id: string, days = 30) => request<RelayStats>('GET', `${relayPath(id)}/stats${q({ days })}`),
  importChunk: (id: string, firstLine: number, body: Uint8Array<ArrayBuffer>, signal?: AbortSignal) =>
    request<ImportResult>('POST', `${relayPath(id)}/import${q({ first_line: firstLine })}`, body, { contentType: 'application/x-ndjson', signal }),
  subdomain: (subdomain: string, signal?: AbortSignal) =>
    request<Availability>('GET', `/api/subdomains/${encodeURIComponent(subdomain)}`, undefined, { signal }),
}
