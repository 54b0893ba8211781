// What the API shows of our rows: never `secret`, never `nwc_url`.
import type { RelayRow, TenantRow } from '../db/schema.js'
import { exemptKindsOf } from './validation.js'

export interface RelayView {
  id: string
  tenant: string
  subdomain: string
  url: string
  plan: string
  status: RelayRow['status']
  synced: boolean
  sync_error: string
  info_name: string
  info_icon: string
  info_description: string
  policy_public_join: boolean
  policy_strip_signatures: boolean
  groups_enabled: boolean
  management_enabled: boolean
  blossom_enabled: boolean
  livekit_enabled: boolean
  push_enabled: boolean
  /** Kinds let through to and between members without authentication (engine `policy.exempt_kinds`). */
  exempt_kinds: number[]
  created_at: number
  updated_at: number
}

export interface TenantView {
  pubkey: string
  nwc_is_set: boolean
  nwc_error: string | null
  past_due_at: number | null
  stripe_customer_id: string | null
  stripe_subscription_id: string | null
  nwc_wallet_pubkey: string | null
  created_at: number
}

/** How relay URLs look: `ws://<sub>.localhost:<port>` locally, `wss://<sub>.<domain>` in production. */
export function relayUrlFor(relayDomain: string, enginePort: number): (subdomain: string) => string {
  const local = relayDomain === 'localhost' || relayDomain.endsWith('.localhost')
  return local ? (s) => `ws://${s}.${relayDomain}:${enginePort}` : (s) => `wss://${s}.${relayDomain}`
}

export function relayView(row: Omit<RelayRow, 'secret'>, urlFor: (subdomain: string) => string): RelayView {
  return {
    id: row.id,
    tenant: row.tenant,
    subdomain: row.subdomain,
    url: urlFor(row.subdomain),
    plan: row.plan,
    status: row.status,
    synced: row.synced === 1,
    sync_error: row.sync_error,
    info_name: row.info_name,
    info_icon: row.info_icon,
    info_description: row.info_description,
    policy_public_join: row.policy_public_join === 1,
    policy_strip_signatures: row.policy_strip_signatures === 1,
    groups_enabled: row.groups_enabled === 1,
    management_enabled: row.management_enabled === 1,
    blossom_enabled: row.blossom_enabled === 1,
    livekit_enabled: row.livekit_enabled === 1,
    push_enabled: row.push_enabled === 1,
    exempt_kinds: exemptKindsOf(row.exempt_kinds),
    created_at: row.created_at,
    updated_at: row.updated_at,
  }
}

/** The tenant as the API shows it; `walletPubkey` reads the wallet service's pubkey from the sealed URI. */
export function tenantView(row: TenantRow, walletPubkey: (sealed: string) => string | null = () => null): TenantView {
  return {
    pubkey: row.pubkey,
    nwc_is_set: row.nwc_url !== null && row.nwc_url !== '',
    nwc_error: row.nwc_error,
    past_due_at: row.past_due_at,
    stripe_customer_id: row.stripe_customer_id,
    stripe_subscription_id: row.stripe_subscription_id,
    nwc_wallet_pubkey: row.nwc_url ? walletPubkey(row.nwc_url) : null,
    created_at: row.created_at,
  }
}
