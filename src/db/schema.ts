// The database's shape, one typed interface (Kysely). Columns mirror the migrations in ./migrations.
import type { Generated, Selectable } from 'kysely'

export interface TenantTable {
  pubkey: string
  nwc_url: string | null
  nwc_error: string | null
  stripe_customer_id: string | null
  stripe_subscription_id: string | null
  past_due_at: number | null
  created_at: number
  billing_revision: Generated<number>
}

export interface RelayTable {
  id: string
  tenant: string
  subdomain: string
  plan: string
  status: 'active' | 'inactive' | 'delinquent'
  synced: number
  sync_error: string
  info_name: string
  info_icon: string
  info_description: string
  policy_public_join: number
  policy_strip_signatures: number
  groups_enabled: number
  management_enabled: number
  blossom_enabled: number
  livekit_enabled: number
  push_enabled: number
  /** JSON array of kinds; null = the engine's default exemptions. */
  exempt_kinds: string | null
  /** The configured engine that serves it (null only before start-up gives old rows the first engine). */
  engine: string | null
  /** The engine it is moving to, while a move runs. */
  move_target: string | null
  /** Last sign of life of that move (milliseconds since the epoch). */
  move_heartbeat_at: number | null
  secret: string
  created_at: number
  updated_at: number
}

export interface ActivityTable {
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

export interface SessionTable {
  token_hash: string
  pubkey: string
  created_at: number
  expires_at: number
}

export interface StripeEventTable {
  id: string
  type: string
  received_at: number
  processed_at: number | null
  payload: string | null
}

export interface InvoiceNwcPaymentTable {
  invoice_id: string
  tenant: string
  state: 'pending' | 'paid'
  created_at: number
  updated_at: number
  amount_cents: number | null
  amount_msats: number | null
  btc_price_usd: number | null
  bolt11: string | null
  payment_hash: string | null
  bolt11_expires_at: number | null
  revision: Generated<number>
  /** What the last NWC pay attempt of the current bolt11 is known to have done. */
  pay_attempt: Generated<'none' | 'sent' | 'unknown' | 'failed'>
  last_error: string | null
  settled_at: number | null
}

export interface AdminTable {
  pubkey: string
  created_at: number
}

/** The robot's notification outbox (one row per cause, keyed by a stable id). */
export interface NotificationTable {
  id: string
  recipient: string
  kind: string
  text: string
  status: 'pending' | 'sent' | 'no-dm-relays' | 'failed'
  created_at: number
  sent_at: number | null
  attempts: number
  /** Unix seconds; set only while pending. */
  next_attempt_at: number | null
  last_error: string | null
}

export interface AuthEventTable {
  id: string
  expires_at: number
}

export interface Schema {
  auth_event: AuthEventTable
  tenant: TenantTable
  relay: RelayTable
  activity: ActivityTable
  session: SessionTable
  stripe_event: StripeEventTable
  invoice_nwc_payment: InvoiceNwcPaymentTable
  admin: AdminTable
  notification: NotificationTable
  profile: ProfileTable
  worker_lease: WorkerLeaseTable
}

export interface ProfileTable {
  pubkey: string
  name: string | null
  picture: string | null
  nip05: string | null
  event_created_at: number | null
  fetched_at: number
}

export type ProfileRow = ProfileTable

export type TenantRow = Selectable<TenantTable>
export type RelayRow = RelayTable
export type ActivityRow = ActivityTable
export type InvoicePaymentRow = Selectable<InvoiceNwcPaymentTable>

export interface WorkerLeaseTable {
  name: string
  holder: string
  /** Milliseconds since the epoch, by the holder's clock. */
  expires_at: number
}
