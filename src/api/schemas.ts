// Request and response shapes; they validate input and generate the OpenAPI document.
import { z } from '@hono/zod-openapi'
import { MAX_PAGE_SIZE } from '../platform/pagination.js'
import { LIMITS } from '../platform/validation.js'

export const ErrorSchema = z.object({ error: z.string(), code: z.string() }).openapi('Error')

export function envelope<T extends z.ZodType>(data: T) {
  return z.object({ data, code: z.literal('ok') })
}

export function page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), next_cursor: z.string().nullable() })
}

export const PlanSchema = z
  .object({
    id: z.enum(['free', 'basic', 'growth']),
    name: z.string(),
    amount: z.number().int().openapi({ description: 'USD cents per month' }),
    members: z.number().int().nullable().openapi({ description: 'member limit; null = unlimited' }),
    blossom: z.boolean(),
    livekit: z.boolean(),
    stripe_price_id: z.string().nullable(),
  })
  .openapi('Plan')

const flags = {
  policy_public_join: z.boolean(),
  policy_strip_signatures: z.boolean(),
  groups_enabled: z.boolean(),
  management_enabled: z.boolean(),
  blossom_enabled: z.boolean(),
  livekit_enabled: z.boolean(),
  push_enabled: z.boolean(),
}

export const RelaySchema = z
  .object({
    id: z.string(),
    tenant: z.string(),
    subdomain: z.string(),
    url: z.string().openapi({ description: 'public WebSocket URL of the relay' }),
    plan: z.string(),
    status: z.enum(['active', 'inactive', 'delinquent']),
    synced: z.boolean(),
    sync_error: z.string(),
    info_name: z.string(),
    info_icon: z.string(),
    info_description: z.string(),
    ...flags,
    exempt_kinds: z.array(z.number().int()).openapi({ description: 'kinds let through to and between members without authentication (gift wraps, zap receipts, NWC, NIP-46 by default)' }),
    created_at: z.number().int(),
    updated_at: z.number().int(),
  })
  .openapi('Relay')

export const RelayDetailSchema = RelaySchema.extend({
  members: z
    .object({ used: z.number().int(), allowed: z.number().int().nullable() })
    .nullable()
    .openapi({ description: 'members counted against the plan, and the plan limit (null = unlimited)' }),
  engine: z.string().nullable().openapi({ description: 'admins: the engine serving it (null for tenants)' }),
}).openapi('RelayDetail')

// Community tools (members, invites, stats, import).
export const Person = {
  pubkey: z.string(),
  npub: z.string(),
  name: z.string().nullable(),
  picture: z.string().nullable(),
}

export const MemberSchema = z
  .object({
    ...Person,
    nip05: z.string().nullable(),
    role: z.enum(['owner', 'relay', 'operator', 'member']),
    counts: z.boolean().openapi({ description: "whether the member counts against the plan's limit" }),
    joined_at: z.number().int().nullable(),
    via: z.enum(['invite', 'claim', 'public', 'api']).nullable().openapi({ description: 'managed invite, NIP-43 invite code, public join, or added by an admin' }),
    code: z.string().nullable(),
  })
  .openapi('Member')

export const MembersSchema = z
  .object({ members: z.array(MemberSchema), used: z.number().int(), allowed: z.number().int().nullable() })
  .openapi('Members')

export const InviteSchema = z
  .object({
    code: z.string(),
    label: z.string(),
    link: z.string().openapi({ description: "the dashboard's public join page for this code" }),
    created_at: z.number().int(),
    expires_at: z.number().int().nullable(),
    max_uses: z.number().int().nullable(),
    uses: z.number().int(),
    revoked: z.boolean(),
    joins: z.array(z.object({ ...Person, joined_at: z.number().int() })),
  })
  .openapi('Invite')

export const InviteCreateSchema = z
  .strictObject({
    label: z.string().max(100).optional(),
    max_uses: z.number().int().min(1).max(1_000_000).nullable().optional(),
    expires_at: z.number().int().nullable().optional().openapi({ description: 'unix seconds, in the future' }),
  })
  .openapi('InviteCreate')

export const StatsSchema = z
  .object({
    connections: z.number().int(),
    storage_bytes: z.number().int(),
    events_total: z.number().int(),
    members: z.number().int().openapi({ description: 'members counted against the plan' }),
    members_allowed: z.number().int().nullable(),
    daily: z.array(
      z.object({
        day: z.string().openapi({ description: 'UTC date, YYYY-MM-DD' }),
        events: z.record(z.string(), z.number().int()).openapi({ description: 'events stored with a created_at on that day, by kind' }),
        members: z.number().int(),
      }),
    ),
  })
  .openapi('RelayStats')

export const ImportSummarySchema = z
  .object({
    accepted: z.number().int(),
    skipped: z.number().int().openapi({ description: 'already there, or older than the stored version' }),
    refused: z.array(z.object({ line: z.number().int(), reason: z.string() })),
  })
  .openapi('ImportSummary')

export const BannedPubkeySchema = z
  .object({ pubkey: z.string(), npub: z.string(), reason: z.string(), name: z.string().nullable(), picture: z.string().nullable() })
  .openapi('BannedPubkey')

export const BannedEventSchema = z.object({ id: z.string(), reason: z.string() }).openapi('BannedEvent')

// Engines and relay moves (admins).
export const EngineSchema = z
  .object({
    name: z.string(),
    url: z.string().openapi({ description: 'origin of its management API' }),
    relays: z.number().int().openapi({ description: 'relays placed on it' }),
  })
  .openapi('Engine')

export const MoveSchema = z
  .object({
    relay: RelaySchema,
    from: z.string(),
    to: z.string(),
    events: z.number().int().openapi({ description: 'events exported from the source and taken by the target' }),
    source_purged: z.boolean().openapi({ description: "false when the source engine could not delete its (inactive) copy" }),
  })
  .openapi('RelayMove')

export const TenantSchema = z
  .object({
    pubkey: z.string(),
    nwc_is_set: z.boolean(),
    nwc_error: z.string().nullable(),
    past_due_at: z.number().int().nullable().openapi({ description: 'when a payment failed; the grace period counts from here' }),
    stripe_customer_id: z.string().nullable(),
    stripe_subscription_id: z.string().nullable(),
    nwc_wallet_pubkey: z.string().nullable().openapi({ description: 'the connected wallet service (never the URI or its secret)' }),
    created_at: z.number().int(),
  })
  .openapi('Tenant')

export const InvoiceSchema = z
  .object({
    id: z.string(),
    status: z.string().nullable(),
    amount_due: z.number().int().openapi({ description: 'USD cents' }),
    amount_paid: z.number().int(),
    amount_remaining: z.number().int(),
    currency: z.string(),
    created: z.number().int(),
    due_date: z.number().int().nullable(),
    period_start: z.number().int().nullable(),
    period_end: z.number().int().nullable(),
    hosted_invoice_url: z.string().nullable(),
  })
  .openapi('Invoice')

export const ActivitySchema = z
  .object({
    id: z.string(),
    tenant: z.string(),
    created_at: z.number().int(),
    activity_type: z.string(),
    resource_type: z.enum(['tenant', 'relay']),
    resource_id: z.string(),
    relay_plan: z.string().nullable(),
    relay_status: z.string().nullable(),
    detail: z.string().nullable(),
  })
  .openapi('Activity')

export const IdentitySchema = z
  .object({ pubkey: z.string(), is_admin: z.boolean(), is_tenant: z.boolean() })
  .openapi('Identity')

const info = {
  info_name: z.string().max(LIMITS.info_name),
  info_icon: z.string().max(LIMITS.info_icon).openapi({ description: 'http(s) URL of the relay icon' }),
  info_description: z.string().max(LIMITS.info_description),
}

const optionalFlags = Object.fromEntries(Object.entries(flags).map(([k, v]) => [k, v.optional()])) as {
  [K in keyof typeof flags]: z.ZodOptional<(typeof flags)[K]>
}

export const RelayCreateSchema = z
  .strictObject({
    subdomain: z.string().max(253),
    plan: z.string().max(64),
    tenant: z.string().max(200).optional().openapi({ description: 'admins only: create the relay for this tenant' }),
    engine: z.string().max(32).optional().openapi({ description: 'admins only: the engine to place it on (default: the one serving the fewest relays)' }),
    info_name: info.info_name.optional(),
    info_icon: info.info_icon.optional(),
    info_description: info.info_description.optional(),
    ...optionalFlags,
  })
  .openapi('RelayCreate')

export const RelayUpdateSchema = z
  .strictObject({
    plan: z.string().max(64).optional(),
    info_name: info.info_name.optional(),
    info_icon: info.info_icon.optional(),
    info_description: info.info_description.optional(),
    ...optionalFlags,
    exempt_kinds: z
      .array(z.number())
      .max(1000)
      .nullable()
      .optional()
      .openapi({ description: 'at most 64 kinds (0–65535); null restores the default list' }),
  })
  .openapi('RelayUpdate')

export const TenantUpdateSchema = z
  .strictObject({
    nwc_url: z.string().max(2048).nullable().openapi({ description: 'NIP-47 wallet-connect URI for auto-pay; null removes it' }),
  })
  .openapi('TenantUpdate')

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
  cursor: z.string().max(512).optional(),
})

export const LightningPaymentSchema = z
  .object({
    invoice_id: z.string(),
    status: z.enum(['none', 'pending', 'paid', 'expired', 'in-progress']),
    bolt11: z.string().nullable().openapi({ description: 'set only while it may be paid by hand' }),
    amount_sats: z.number().int().nullable(),
    amount_cents: z.number().int().nullable(),
    expires_at: z.number().int().nullable(),
  })
  .openapi('LightningPayment')

export const RelayListQuery = PageQuery.extend({
  status: z.enum(['active', 'inactive', 'delinquent']).optional(),
  plan: z.string().max(64).optional(),
  sync: z.enum(['ok', 'pending', 'error']).optional().openapi({ description: 'ok: synced; pending: waiting; error: the last sync failed' }),
  q: z.string().max(63).optional().openapi({ description: 'subdomain prefix; results are then ordered by subdomain' }),
})

export const TenantListQuery = PageQuery.extend({
  q: z.string().max(200).optional().openapi({ description: 'hex pubkey prefix, or an npub' }),
})

export const PublicConfigSchema = z
  .object({
    billing_enabled: z.boolean().openapi({ description: 'false: every plan is free on this deployment' }),
    relay_domain: z.string(),
    relay_url_template: z.string().openapi({ description: 'a relay URL with `{subdomain}` in place of its subdomain' }),
    lightning_enabled: z.boolean().openapi({ description: 'invoices can be paid over Lightning' }),
    billing_grace_days: z.number().int().openapi({ description: 'days a tenant may stay past due before paid relays are suspended' }),
    profile_relays: z.array(z.string()).openapi({ description: "where the dashboard looks up people's profiles" }),
    signer_relays: z.array(z.string()).openapi({ description: 'relays offered to NIP-46 remote signers' }),
  })
  .openapi('PublicConfig')

export const IdParam = z.object({ id: z.string().max(64) })
export const PubkeyParam = z.object({ pubkey: z.string().max(200) })
