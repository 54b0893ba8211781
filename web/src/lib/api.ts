// The API client: `{data, code:"ok"}` / `{error, code}` envelopes, same-origin session cookie, and the
// resource shapes the dashboard reads (they mirror src/api/schemas.ts).
import { ApiError } from './errors'

export type RelayStatus = 'active' | 'inactive' | 'delinquent'

export interface Plan {
  id: string
  name: string
  /** USD cents per month. */
  amount: number
  /** null = unlimited */
  members: number | null
  blossom: boolean
  livekit: boolean
  stripe_price_id: string | null
}

export interface Flags {
  policy_public_join: boolean
  policy_strip_signatures: boolean
  groups_enabled: boolean
  management_enabled: boolean
  blossom_enabled: boolean
  livekit_enabled: boolean
  push_enabled: boolean
}

export interface Relay extends Flags {
  id: string
  tenant: string
  subdomain: string
  url: string
  plan: string
  status: RelayStatus
  synced: boolean
  sync_error: string
  info_name: string
  info_icon: string
  info_description: string
  created_at: number
  updated_at: number
}

export interface MemberCount {
  used: number
  allowed: number | null
}

export interface RelayDetail extends Relay {
  /** null while the engine cannot be reached */
  members: MemberCount | null
}

export interface Tenant {
  pubkey: string
  nwc_is_set: boolean
  /** The last auto-pay failure, `<NIP-47 code>: <wallet message>`; null after a success. */
  nwc_error: string | null
  /** When a payment failed; the grace period counts from here. */
  past_due_at: number | null
  stripe_customer_id: string | null
  stripe_subscription_id: string | null
  created_at: number
}

export interface Invoice {
  id: string
  /** draft | open | paid | uncollectible | void */
  status: string | null
  /** USD cents */
  amount_due: number
  amount_paid: number
  amount_remaining: number
  currency: string
  created: number
  due_date: number | null
  period_start: number | null
  period_end: number | null
  hosted_invoice_url: string | null
}

export type LightningStatus = 'none' | 'pending' | 'paid' | 'expired' | 'in-progress'

export interface LightningPayment {
  invoice_id: string
  status: LightningStatus
  /** Set only while it may be paid by hand. */
  bolt11: string | null
  amount_sats: number | null
  amount_cents: number | null
  expires_at: number | null
}

export interface SessionState {
  signed_in: boolean
  pubkey: string | null
}

export interface Activity {
  id: string
  tenant: string
  created_at: number
  activity_type: string
  resource_type: 'tenant' | 'relay'
  resource_id: string
  relay_plan: string | null
  relay_status: string | null
  detail: string | null
}

export interface Identity {
  pubkey: string
  is_admin: boolean
  is_tenant: boolean
}

export interface PublicConfig {
  billing_enabled: boolean
  relay_domain: string
  relay_url_template: string
  lightning_enabled?: boolean
  profile_relays?: string[]
  signer_relays?: string[]
  /** Days a tenant may stay past due before paid relays are suspended (not offered by every server). */
  billing_grace_days?: number
}

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

export type RelayPatch = Partial<Flags & Pick<Relay, 'plan' | 'info_name' | 'info_icon' | 'info_description'>>
export type RelayCreate = RelayPatch & { subdomain: string; plan: string }

/** Called when a guarded request finds the session gone, so the app can show the sign-in page. */
let onSignedOut: (() => void) | undefined
export function setSignedOutHandler(handler: () => void): void {
  onSignedOut = handler
}

export interface RequestOptions {
  authorization?: string
  signal?: AbortSignal
}

/** One API call. The body is serialised once; that exact string is what a NIP-98 payload hash covers. */
export async function request<T>(method: string, path: string, body?: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
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
  activity: (id: string, p: { cursor?: string; limit?: number } = {}) =>
    request<Page<Activity>>('GET', `/api/relays/${encodeURIComponent(id)}/activity${q(p)}`),
  subdomain: (subdomain: string, signal?: AbortSignal) =>
    request<Availability>('GET', `/api/subdomains/${encodeURIComponent(subdomain)}`, undefined, { signal }),
}
