// A local Stripe-compatible HTTP server for tests. It speaks Stripe's v1 wire protocol (form-encoded bracket
// parameters, Bearer auth, Idempotency-Key, Stripe's error shape) so the real `stripe` client is exercised, keeps
// state (customers, subscriptions with items and quantities, invoices, portal sessions, idempotency keys, events)
// and emits webhooks signed with the real `Stripe.webhooks.generateTestHeaderString`.
// Only the endpoints Caravel's billing uses exist; behaviour follows Stripe where it matters to billing code
// (statuses, event order, error codes) and is simplified elsewhere (no prorations, no taxes, no retries).
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import Stripe from 'stripe'

export const STRIPE_DOUBLE_API_VERSION = '2026-10-28.endive'

// ---------------------------------------------------------------------------------------------------------------
// Wire format: Stripe's bracket notation (`items[0][price]=…`, `metadata[k]=…`, `expand[]=…`).

export type Param = string | Param[] | { [key: string]: Param }
export type Params = { [key: string]: Param }

/** Parses a form-encoded body or query string in Stripe's bracket notation into nested objects and arrays. */
export function parseStripeParams(encoded: string): Params {
  const root: Params = {}
  for (const [rawKey, value] of new URLSearchParams(encoded)) {
    const m = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(rawKey)
    if (!m) throw new StripeApiError(400, { message: `Invalid parameter name: ${rawKey}`, param: rawKey })
    const path = [m[1]!, ...[...m[2]!.matchAll(/\[([^[\]]*)\]/g)].map((x) => x[1]!)]
    let node: { [key: string]: Param } = root
    for (let i = 0; i < path.length; i++) {
      const seg = path[i] === '' ? String(Object.keys(node).length) : path[i]!
      if (i === path.length - 1) {
        if (typeof node[seg] === 'object') throw new StripeApiError(400, { message: `Invalid parameter: ${rawKey}`, param: rawKey })
        node[seg] = value
      } else {
        const next: Param | undefined = node[seg]
        if (typeof next === 'string') throw new StripeApiError(400, { message: `Invalid parameter: ${rawKey}`, param: rawKey })
        if (next === undefined) node[seg] = {}
        node = node[seg] as { [key: string]: Param }
      }
    }
  }
  return arrayify(root) as Params
}

// Objects keyed 0..n-1 are arrays on Stripe's side too; metadata keeps its keys whatever they look like.
function arrayify(value: Param, key = ''): Param {
  if (typeof value === 'string' || Array.isArray(value)) return value
  const keys = Object.keys(value)
  for (const k of keys) value[k] = arrayify(value[k]!, k)
  if (key !== 'metadata' && keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys.sort((a, b) => Number(a) - Number(b)).map((k) => value[k]!)
  }
  return value
}

// ---------------------------------------------------------------------------------------------------------------
// Object shapes (the subset of Stripe's fields the double maintains; see node_modules/stripe/esm/resources).

export type Metadata = Record<string, string>

export interface DoublePrice {
  id: string
  object: 'price'
  active: true
  billing_scheme: 'per_unit'
  created: number
  currency: 'usd'
  livemode: false
  lookup_key: null
  metadata: Metadata
  nickname: null
  product: string
  recurring: { interval: 'month'; interval_count: 1; usage_type: 'licensed' }
  type: 'recurring'
  unit_amount: number
  unit_amount_decimal: string
}

export interface DoubleCustomer {
  id: string
  object: 'customer'
  balance: number
  created: number
  currency: string | null
  default_source: null
  delinquent: boolean
  description: string | null
  email: string | null
  invoice_settings: { custom_fields: null; default_payment_method: string | null; footer: null; rendering_options: null }
  livemode: false
  metadata: Metadata
  name: string | null
  phone: string | null
  preferred_locales: string[]
  tax_exempt: 'none'
}

export interface DoubleSubscriptionItem {
  id: string
  object: 'subscription_item'
  created: number
  current_period_start: number
  current_period_end: number
  discounts: string[]
  metadata: Metadata
  price: DoublePrice
  quantity: number
  subscription: string
  tax_rates: unknown[]
}

export interface StripeList<T> {
  object: 'list'
  data: T[]
  has_more: boolean
  url: string
}

export type SubscriptionStatus =
  | 'incomplete'
  | 'incomplete_expired'
  | 'trialing'
  | 'active'
  | 'past_due'
  | 'canceled'
  | 'unpaid'
  | 'paused'

export interface DoubleSubscription {
  id: string
  object: 'subscription'
  billing_cycle_anchor: number
  cancel_at: number | null
  cancel_at_period_end: boolean
  canceled_at: number | null
  cancellation_details: { comment: string | null; feedback: string | null; reason: string | null }
  collection_method: 'charge_automatically' | 'send_invoice'
  created: number
  currency: 'usd'
  customer: string
  days_until_due: number | null
  default_payment_method: string | null
  description: string | null
  ended_at: number | null
  items: StripeList<DoubleSubscriptionItem> & { total_count: number }
  latest_invoice: string | null
  livemode: false
  metadata: Metadata
  start_date: number
  status: SubscriptionStatus
}

export interface DoubleInvoiceLine {
  id: string
  object: 'line_item'
  amount: number
  currency: 'usd'
  description: string
  invoice: string
  livemode: false
  metadata: Metadata
  parent: {
    type: 'subscription_item_details'
    subscription_item_details: { proration: false; subscription: string; subscription_item: string }
  }
  period: { start: number; end: number }
  pricing: { type: 'price_details'; price_details: { price: string; product: string }; unit_amount_decimal: string }
  quantity: number
  subscription: string
  subtotal: number
}

export type InvoiceStatus = 'draft' | 'open' | 'paid' | 'uncollectible' | 'void'

export interface DoubleInvoice {
  id: string
  object: 'invoice'
  amount_due: number
  amount_overpaid: number
  amount_paid: number
  amount_paid_off_stripe: number
  amount_remaining: number
  attempt_count: number
  attempted: boolean
  auto_advance: boolean
  billing_reason: 'subscription_create' | 'subscription_cycle'
  collection_method: 'charge_automatically' | 'send_invoice'
  created: number
  currency: 'usd'
  customer: string
  customer_email: string | null
  customer_name: string | null
  description: string | null
  due_date: number | null
  effective_at: number | null
  hosted_invoice_url: string | null
  invoice_pdf: string | null
  lines: StripeList<DoubleInvoiceLine> & { total_count: number }
  livemode: false
  metadata: Metadata
  next_payment_attempt: number | null
  number: string | null
  parent: {
    type: 'subscription_details'
    quote_details: null
    subscription_details: { metadata: Metadata; subscription: string }
  }
  period_end: number
  period_start: number
  status: InvoiceStatus
  status_transitions: {
    finalized_at: number | null
    marked_uncollectible_at: number | null
    paid_at: number | null
    voided_at: number | null
  }
  /** Removed from the typed API in favour of parent.subscription_details.subscription; kept for older readers. */
  subscription: string
  subtotal: number
  total: number
}

export interface DoublePortalSession {
  id: string
  object: 'billing_portal.session'
  configuration: string
  created: number
  customer: string
  livemode: false
  locale: string | null
  return_url: string | null
  url: string
}

export interface StripeEventObject {
  id: string
  object: 'event'
  api_version: string
  created: number
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> }
  livemode: false
  pending_webhooks: number
  request: { id: string | null; idempotency_key: string | null }
  type: string
}

export interface RecordedRequest {
  method: string
  /** Route template, e.g. `POST /v1/subscriptions/:id`; the raw path for unknown routes. */
  endpoint: string
  path: string
  params: Params
  idempotencyKey: string | null
  stripeVersion: string | null
  status: number
  replayed: boolean
}

export interface DeliveryRecord {
  eventId: string
  type: string
  status: number
  error?: string
}

export interface DeliverOptions {
  /** How many times to POST the same event (duplicates as Stripe's at-least-once delivery makes them). */
  times?: number
  /** Send the copies at once instead of one after another. */
  concurrent?: boolean
  /**
   * Signature timestamp in unix seconds; an old one makes a stale signature. Default: real time (not the `now`
   * clock), because `constructEvent` checks the tolerance against the real clock.
   */
  timestamp?: number
  /** Secret(s) to sign with (default `webhookSecret`); several give several `v1=` entries, as during rotation. */
  secret?: string | string[]
  /** Changes the body after signing (a tampered payload). */
  tamper?: (payload: string) => string
  /** Replaces the Stripe-Signature header; `null` omits it. */
  signature?: string | null
  /** Another URL than `webhookUrl`. */
  url?: string
}

export interface StripeDoubleOptions {
  /** Secret key the client must present as `Authorization: Bearer …` (default `sk_test_double`). */
  apiKey?: string
  /** Known prices: id → monthly unit amount in cents (default `{ price_basic: 500, price_growth: 2500 }`). */
  prices?: Record<string, number>
  webhookUrl?: string | null
  webhookSecret?: string
  /** Clock in milliseconds (default Date.now) for `created`, periods and due dates (not webhook signatures). */
  now?: () => number
  /** Per-delivery timeout (default 10 s). */
  webhookTimeoutMs?: number
}

// ---------------------------------------------------------------------------------------------------------------
// Errors in Stripe's shape: `{ error: { type, code?, message, param?, decline_code? } }`.

interface StripeErrorBody {
  type?: 'invalid_request_error' | 'idempotency_error' | 'card_error' | 'api_error'
  code?: string
  message: string
  param?: string
  decline_code?: string
}

export class StripeApiError extends Error {
  readonly body: Required<Pick<StripeErrorBody, 'type'>> & StripeErrorBody
  constructor(
    readonly status: number,
    body: StripeErrorBody,
  ) {
    super(body.message)
    this.body = { type: 'invalid_request_error', ...body }
  }
}

const noSuch = (what: string, id: string, param = 'id') =>
  new StripeApiError(404, { code: 'resource_missing', message: `No such ${what}: '${id}'`, param })
const missing = (param: string) =>
  new StripeApiError(400, { code: 'parameter_missing', message: `Missing required param: ${param}.`, param })
const invalid = (param: string, message: string, code?: string) => new StripeApiError(400, { code, message, param })

// Top-level parameters each endpoint accepts (from the SDK's *Params types). Anything else is refused with
// `parameter_unknown`, as Stripe does; accepted parameters the double does not model are recorded and ignored.
const PAGINATION = ['limit', 'starting_after', 'ending_before', 'expand']
const ALLOWED: Record<string, string[]> = {
  'POST /v1/customers': [
    'address', 'balance', 'business_name', 'cash_balance', 'description', 'email', 'expand', 'individual_name',
    'invoice_prefix', 'invoice_settings', 'metadata', 'name', 'next_invoice_sequence', 'payment_method', 'phone',
    'preferred_locales', 'shipping', 'source', 'tax', 'tax_exempt', 'tax_id_data', 'test_clock', 'validate',
  ],
  'POST /v1/customers/:id': [
    'address', 'balance', 'business_name', 'cash_balance', 'default_source', 'description', 'email', 'expand',
    'individual_name', 'invoice_prefix', 'invoice_settings', 'metadata', 'name', 'next_invoice_sequence', 'phone',
    'preferred_locales', 'shipping', 'source', 'tax', 'tax_exempt', 'validate',
  ],
  'GET /v1/customers/:id': ['expand'],
  'POST /v1/subscriptions': [
    'add_invoice_items', 'application_fee_percent', 'automatic_tax', 'backdate_start_date', 'billing_cycle_anchor',
    'billing_cycle_anchor_config', 'billing_mode', 'billing_schedules', 'billing_thresholds', 'cancel_at',
    'cancel_at_period_end', 'collection_method', 'currency', 'customer', 'customer_account', 'days_until_due',
    'default_payment_method', 'default_source', 'default_tax_rates', 'description', 'discounts', 'expand',
    'invoice_settings', 'items', 'metadata', 'off_session', 'on_behalf_of', 'payment_behavior', 'payment_settings',
    'pending_invoice_item_interval', 'proration_behavior', 'transfer_data', 'trial_end', 'trial_from_plan',
    'trial_period_days', 'trial_settings',
  ],
  'POST /v1/subscriptions/:id': [
    'add_invoice_items', 'application_fee_percent', 'automatic_tax', 'billing_cycle_anchor', 'billing_schedules',
    'billing_thresholds', 'cancel_at', 'cancel_at_period_end', 'cancellation_details', 'collection_method',
    'days_until_due', 'default_payment_method', 'default_source', 'default_tax_rates', 'description', 'discounts',
    'expand', 'invoice_settings', 'items', 'metadata', 'off_session', 'on_behalf_of', 'pause_collection',
    'payment_behavior', 'payment_settings', 'pending_invoice_item_interval', 'proration_behavior', 'proration_date',
    'transfer_data', 'trial_end', 'trial_from_plan', 'trial_settings',
  ],
  'GET /v1/subscriptions/:id': ['expand'],
  'DELETE /v1/subscriptions/:id': ['cancellation_details', 'expand', 'invoice_now', 'prorate'],
  'GET /v1/subscriptions': [
    ...PAGINATION, 'automatic_tax', 'collection_method', 'created', 'current_period_end', 'current_period_start',
    'customer', 'customer_account', 'plan', 'price', 'status', 'test_clock',
  ],
  'GET /v1/invoices': [
    ...PAGINATION, 'collection_method', 'created', 'customer', 'customer_account', 'due_date', 'status', 'subscription',
  ],
  'GET /v1/invoices/:id': ['expand'],
  'POST /v1/invoices/:id/pay': ['expand', 'forgive', 'mandate', 'off_session', 'paid_out_of_band', 'payment_method', 'source'],
  'POST /v1/invoices/:id/mark_uncollectible': ['expand'],
  'POST /v1/billing_portal/sessions': [
    'after_expiration', 'configuration', 'customer', 'customer_account', 'expand', 'flow_data', 'locale', 'on_behalf_of',
    'return_url',
  ],
  'GET /v1/prices/:id': ['expand'],
  'GET /v1/prices': [...PAGINATION, 'active', 'currency', 'lookup_keys', 'product', 'recurring', 'type', 'created'],
  'GET /v1/events/:id': ['expand'],
}
const ITEM_CREATE = ['billing_thresholds', 'current_trial', 'discounts', 'metadata', 'plan', 'price', 'price_data', 'quantity', 'tax_rates']
const ITEM_UPDATE = [...ITEM_CREATE, 'clear_usage', 'deleted', 'id']

function checkAllowed(params: Params, allowed: string[], prefix = ''): void {
  for (const key of Object.keys(params)) {
    if (!allowed.includes(key)) {
      const name = prefix ? `${prefix}[${key}]` : key
      throw new StripeApiError(400, { code: 'parameter_unknown', message: `Received unknown parameter: ${name}`, param: name })
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Small parameter readers.

function str(params: Params, name: string, param = name): string | undefined {
  const v = params[name]
  if (v === undefined) return undefined
  if (typeof v !== 'string') throw invalid(param, `Invalid string: ${param}`)
  return v
}

function int(params: Params, name: string, param = name): number | undefined {
  const v = str(params, name, param)
  if (v === undefined) return undefined
  if (!/^\d+$/.test(v)) throw invalid(param, `Invalid integer: ${v}`, 'parameter_invalid_integer')
  return Number(v)
}

function bool(params: Params, name: string, param = name): boolean | undefined {
  const v = str(params, name, param)
  if (v === undefined) return undefined
  if (v !== 'true' && v !== 'false') throw invalid(param, `Invalid boolean: ${v}`)
  return v === 'true'
}

function oneOf<T extends string>(params: Params, name: string, values: readonly T[]): T | undefined {
  const v = str(params, name)
  if (v === undefined) return undefined
  if (!(values as readonly string[]).includes(v)) {
    throw invalid(name, `Invalid ${name}: must be one of ${values.join(', ')}`)
  }
  return v as T
}

function obj(params: Params, name: string, param = name): Params | undefined {
  const v = params[name]
  if (v === undefined || v === '') return undefined
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid(param, `Invalid object: ${param}`)
  return v
}

function list(params: Params, name: string): Params[] | undefined {
  const v = params[name]
  if (v === undefined) return undefined
  if (!Array.isArray(v)) throw invalid(name, `Invalid array: ${name}`)
  return v.map((entry, i) => {
    if (typeof entry !== 'object' || Array.isArray(entry)) throw invalid(`${name}[${i}]`, `Invalid object: ${name}[${i}]`)
    return entry
  })
}

/** Stripe's metadata update: keys merge, an empty value unsets a key, an empty `metadata` clears all. */
function mergeMetadata(current: Metadata, params: Params, param = 'metadata'): Metadata {
  const v = params.metadata
  if (v === undefined) return current
  if (v === '') return {}
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid(param, `Invalid hash: ${param}`)
  const next = { ...current }
  for (const [k, value] of Object.entries(v)) {
    if (typeof value !== 'string') throw invalid(`${param}[${k}]`, `Invalid string: ${param}[${k}]`)
    if (value === '') delete next[k]
    else next[k] = value
  }
  return next
}

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`
}

function addMonth(seconds: number): number {
  const d = new Date(seconds * 1000)
  const day = d.getUTCDate()
  d.setUTCDate(1)
  d.setUTCMonth(d.getUTCMonth() + 1)
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate()
  d.setUTCDate(Math.min(day, lastDay))
  return Math.floor(d.getTime() / 1000)
}

const clone = <T>(value: T): T => structuredClone(value)

// ---------------------------------------------------------------------------------------------------------------

interface Route {
  method: string
  pattern: RegExp
  endpoint: string
  handle: (ctx: RequestContext) => { status?: number; body: unknown }
}

interface RequestContext {
  params: Params
  ids: string[]
  requestId: string
  idempotencyKey: string | null
}

interface IdempotentResult {
  endpoint: string
  fingerprint: string
  status: number
  body: string
}

export type PaymentFailure = 'declined' | 'requires_action'

interface PaymentOutcome {
  attempt: boolean
  succeeds: boolean
}

export class StripeDouble {
  readonly apiKey: string
  readonly prices = new Map<string, DoublePrice>()
  readonly customers = new Map<string, DoubleCustomer>()
  readonly subscriptions = new Map<string, DoubleSubscription>()
  readonly invoices = new Map<string, DoubleInvoice>()
  readonly portalSessions = new Map<string, DoublePortalSession>()
  /** Every event, oldest first. */
  readonly events: StripeEventObject[] = []
  /** Every webhook POST made (by `deliver` and by auto-delivery), with its HTTP status (0 = no answer). */
  readonly deliveries: DeliveryRecord[] = []
  /** Every API request received, in order (replays included, flagged). */
  readonly requests: RecordedRequest[] = []
  /** Customers with a usable card (see `attachCard`). */
  readonly cards = new Set<string>()

  webhookUrl: string | null
  webhookSecret: string
  /** Deliver each state change's events to `webhookUrl` as it happens, in order. */
  autoDeliver = false
  port = 0

  private readonly now: () => number
  private readonly webhookTimeoutMs: number
  private readonly idempotency = new Map<string, IdempotentResult>()
  // Queued outcomes of the customer's next card charges (see failNextPayment).
  private readonly failures = new Map<string, PaymentFailure[]>()
  private undelivered: StripeEventObject[] = []
  private outbox: StripeEventObject[] = []
  private deliveryChain: Promise<void> = Promise.resolve()
  private seq = 0
  private invoiceNumber = 0
  private server: http.Server | null = null
  private readonly routes: Route[]
  // Request being handled, so events carry `request.id` / `request.idempotency_key` as Stripe's do.
  private currentRequest: { id: string | null; idempotency_key: string | null } = { id: null, idempotency_key: null }

  constructor(options: StripeDoubleOptions = {}) {
    this.apiKey = options.apiKey ?? 'sk_test_double'
    this.webhookUrl = options.webhookUrl ?? null
    this.webhookSecret = options.webhookSecret ?? 'whsec_double_secret'
    this.now = options.now ?? Date.now
    this.webhookTimeoutMs = options.webhookTimeoutMs ?? 10_000
    for (const [id, amount] of Object.entries(options.prices ?? { price_basic: 500, price_growth: 2500 })) {
      this.prices.set(id, {
        id,
        object: 'price',
        active: true,
        billing_scheme: 'per_unit',
        created: this.seconds(),
        currency: 'usd',
        livemode: false,
        lookup_key: null,
        metadata: {},
        nickname: null,
        product: `prod_${id.replace(/^price_/, '')}`,
        recurring: { interval: 'month', interval_count: 1, usage_type: 'licensed' },
        type: 'recurring',
        unit_amount: amount,
        unit_amount_decimal: String(amount),
      })
    }
    this.routes = this.buildRoutes()
  }

  // -------------------------------------------------------------------------------------------------------------
  // Lifecycle and client wiring.

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => this.onRequest(req, res))
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve))
    this.port = (this.server.address() as AddressInfo).port
  }

  async close(): Promise<void> {
    await this.idle()
    const server = this.server
    this.server = null
    if (!server) return
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  /** Base URL, e.g. for `STRIPE_API_BASE`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  /** The options the billing code passes to `new Stripe(key, …)` to reach this double. */
  clientOptions() {
    return {
      host: '127.0.0.1',
      port: this.port,
      protocol: 'http' as const,
      apiVersion: STRIPE_DOUBLE_API_VERSION as Stripe.LatestApiVersion,
      maxNetworkRetries: 0,
      telemetry: false,
    }
  }

  /** A real Stripe client pointed at this double. */
  client(apiKey = this.apiKey): Stripe {
    return new Stripe(apiKey, this.clientOptions())
  }

  /** Requests received for an endpoint such as `POST /v1/subscriptions` (idempotent replays excluded on request). */
  requestCount(endpoint: string, options: { replays?: boolean } = {}): number {
    return this.requests.filter((r) => r.endpoint === endpoint && (options.replays !== false || !r.replayed)).length
  }

  // -------------------------------------------------------------------------------------------------------------
  // Test controls.

  /** Gives the customer a default card: later charges succeed (unless `failNextPayment`). */
  attachCard(customerId: string): void {
    const customer = this.customers.get(customerId)
    if (!customer) throw new Error(`attachCard: no customer ${customerId}`)
    this.cards.add(customerId)
    customer.invoice_settings.default_payment_method ??= this.newId('pm')
  }

  /**
   * The customer's next card charge fails even with a card: declined (`invoice.payment_failed`) or, with
   * `requires_action`, held for 3-D Secure (`invoice.payment_action_required`). Calls queue up.
   */
  failNextPayment(customerId: string, reason: PaymentFailure = 'declined'): void {
    if (!this.customers.has(customerId)) throw new Error(`failNextPayment: no customer ${customerId}`)
    this.failures.set(customerId, [...(this.failures.get(customerId) ?? []), reason])
  }

  /**
   * Starts the subscription's next period: `customer.subscription.updated`, then a `subscription_cycle` invoice
   * created, finalized and charged (paid, or failed → subscription `past_due`). With `holdDraft` the invoice stays
   * draft (as Stripe keeps renewals for about an hour) until `finalizeInvoice`.
   */
  async renew(subscriptionId: string, options: { holdDraft?: boolean } = {}): Promise<DoubleInvoice> {
    const sub = this.subscriptions.get(subscriptionId)
    if (!sub) throw new Error(`renew: no subscription ${subscriptionId}`)
    if (sub.status === 'canceled' || sub.status === 'incomplete_expired') throw new Error(`renew: subscription ${subscriptionId} is ${sub.status}`)
    // Stripe ends such a subscription at the period's end instead of renewing it; cancelExternally does that here.
    if (sub.cancel_at_period_end) throw new Error(`renew: subscription ${subscriptionId} is set to cancel at period end`)
    const before = clone(sub)
    const start = sub.items.data[0]!.current_period_end
    const end = addMonth(start)
    for (const item of sub.items.data) {
      item.current_period_start = start
      item.current_period_end = end
    }
    const invoice = this.draftInvoice(sub, 'subscription_cycle', start, end)
    sub.latest_invoice = invoice.id
    this.emitUpdated(sub, before)
    this.emit('invoice.created', invoice)
    if (!options.holdDraft) this.advanceInvoice(invoice, this.outcomeFor(sub, 'allow_incomplete'))
    await this.flush()
    return clone(invoice)
  }

  /** Finalizes a draft invoice and attempts payment (charge_automatically), as Stripe does an hour after creation. */
  async finalizeInvoice(invoiceId: string): Promise<DoubleInvoice> {
    const invoice = this.invoices.get(invoiceId)
    if (!invoice) throw new Error(`finalizeInvoice: no invoice ${invoiceId}`)
    if (invoice.status !== 'draft') throw new Error(`finalizeInvoice: invoice ${invoiceId} is ${invoice.status}`)
    const sub = this.subscriptions.get(invoice.subscription)
    this.advanceInvoice(invoice, sub ? this.outcomeFor(sub, 'allow_incomplete') : { attempt: false, succeeds: false })
    await this.flush()
    return clone(invoice)
  }

  /** A card charge of the invoice succeeds (whatever the card state): 'paid' + `invoice.paid`. */
  async payInvoice(invoiceId: string): Promise<DoubleInvoice> {
    const invoice = this.invoices.get(invoiceId)
    if (!invoice) throw new Error(`payInvoice: no invoice ${invoiceId}`)
    if (invoice.status === 'paid' || invoice.status === 'void') throw new Error(`payInvoice: invoice ${invoiceId} is ${invoice.status}`)
    if (invoice.status === 'draft') this.finalize(invoice)
    this.markPaid(invoice, false)
    await this.flush()
    return clone(invoice)
  }

  /** Marks an open invoice uncollectible: `invoice.marked_uncollectible`. */
  async markUncollectible(invoiceId: string): Promise<DoubleInvoice> {
    const invoice = this.invoices.get(invoiceId)
    if (!invoice) throw new Error(`markUncollectible: no invoice ${invoiceId}`)
    this.markInvoiceUncollectible(invoice)
    await this.flush()
    return clone(invoice)
  }

  /** Sets a subscription's status as Stripe's own machinery would: `customer.subscription.updated`. */
  async setSubscriptionStatus(subscriptionId: string, status: SubscriptionStatus): Promise<DoubleSubscription> {
    const sub = this.subscriptions.get(subscriptionId)
    if (!sub) throw new Error(`setSubscriptionStatus: no subscription ${subscriptionId}`)
    const before = clone(sub)
    sub.status = status
    if (status === 'canceled') {
      sub.canceled_at ??= this.seconds()
      sub.ended_at ??= this.seconds()
    }
    this.emitUpdated(sub, before)
    await this.flush()
    return clone(sub)
  }

  /** Cancels as if from Stripe's dashboard or dunning: status 'canceled' + `customer.subscription.deleted`. */
  async cancelExternally(subscriptionId: string): Promise<DoubleSubscription> {
    const sub = this.subscriptions.get(subscriptionId)
    if (!sub) throw new Error(`cancelExternally: no subscription ${subscriptionId}`)
    this.cancel(sub, 'cancellation_requested')
    await this.flush()
    return clone(sub)
  }

  /** Drops the subscription as if it never existed (GET → 404); no event. */
  forgetSubscription(subscriptionId: string): void {
    this.subscriptions.delete(subscriptionId)
  }

  // -------------------------------------------------------------------------------------------------------------
  // Events and webhooks.

  /** Returns the events not delivered yet (neither auto-delivered nor passed to `deliver`) and forgets them. */
  takeEvents(): StripeEventObject[] {
    const taken = this.undelivered
    this.undelivered = []
    return taken
  }

  /** Events of one type, oldest first. */
  eventsOfType(type: string): StripeEventObject[] {
    return this.events.filter((e) => e.type === type)
  }

  /** Builds the `Stripe-Signature` header for a payload, one `v1=` per secret, with the real SDK helper. */
  signatureHeader(payload: string, secret: string | string[] = this.webhookSecret, timestamp = Math.floor(Date.now() / 1000)): string {
    const secrets = Array.isArray(secret) ? secret : [secret]
    const headers = secrets.map((s) => Stripe.webhooks.generateTestHeaderString({ payload, secret: s, timestamp }))
    const v1s = headers.flatMap((h) => h.split(',').filter((part) => part.startsWith('v1=')))
    return [`t=${timestamp}`, ...v1s].join(',')
  }

  /** POSTs the event to the webhook endpoint, signed; returns the HTTP statuses (0 when nothing answered). */
  async deliver(event: StripeEventObject, options: DeliverOptions = {}): Promise<number[]> {
    const url = options.url ?? this.webhookUrl
    if (!url) throw new Error('deliver: no webhookUrl')
    this.undelivered = this.undelivered.filter((e) => e.id !== event.id)
    const payload = JSON.stringify(event, null, 2)
    const signature =
      options.signature === undefined
        ? this.signatureHeader(payload, options.secret, options.timestamp)
        : options.signature
    const body = options.tamper ? options.tamper(payload) : payload
    const send = () => this.post(url, event, body, signature)
    const times = options.times ?? 1
    if (options.concurrent) return Promise.all(Array.from({ length: times }, send))
    const statuses: number[] = []
    for (let i = 0; i < times; i++) statuses.push(await send())
    return statuses
  }

  /** Resolves once every auto-delivery queued so far has been attempted. */
  async idle(): Promise<void> {
    for (;;) {
      if (this.outbox.length > 0) void this.flush()
      const chain = this.deliveryChain
      await chain
      if (chain === this.deliveryChain && this.outbox.length === 0) return
    }
  }

  private async post(url: string, event: StripeEventObject, body: string, signature: string | null): Promise<number> {
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
    }
    if (signature !== null) headers['stripe-signature'] = signature
    try {
      const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.webhookTimeoutMs) })
      await res.arrayBuffer()
      this.deliveries.push({ eventId: event.id, type: event.type, status: res.status })
      return res.status
    } catch (err) {
      this.deliveries.push({ eventId: event.id, type: event.type, status: 0, error: (err as Error).message })
      return 0
    }
  }

  private emit(type: string, object: object, previous?: Record<string, unknown>): void {
    const event: StripeEventObject = {
      id: this.newId('evt'),
      object: 'event',
      api_version: STRIPE_DOUBLE_API_VERSION,
      created: this.seconds(),
      data: { object: clone(object) as Record<string, unknown>, ...(previous ? { previous_attributes: clone(previous) } : {}) },
      livemode: false,
      pending_webhooks: 1,
      request: { ...this.currentRequest },
      type,
    }
    this.events.push(event)
    if (this.autoDeliver) this.outbox.push(event)
    else this.undelivered.push(event)
  }

  /** `customer.subscription.updated` with the top-level attributes that changed, when any did. */
  private emitUpdated(sub: DoubleSubscription, before: DoubleSubscription): void {
    const previous: Record<string, unknown> = {}
    for (const key of Object.keys(sub) as (keyof DoubleSubscription)[]) {
      if (canonical(sub[key]) !== canonical(before[key])) previous[key] = before[key]
    }
    if (Object.keys(previous).length > 0) this.emit('customer.subscription.updated', sub, previous)
  }

  // Queues the events emitted since the last flush for auto-delivery, behind earlier ones; errors are recorded.
  private flush(): Promise<void> {
    const batch = this.outbox
    this.outbox = []
    if (batch.length === 0) return this.deliveryChain
    this.deliveryChain = this.deliveryChain.then(async () => {
      for (const event of batch) {
        if (!this.webhookUrl) {
          this.deliveries.push({ eventId: event.id, type: event.type, status: 0, error: 'no webhookUrl' })
          continue
        }
        try {
          await this.deliver(event)
        } catch (err) {
          this.deliveries.push({ eventId: event.id, type: event.type, status: 0, error: (err as Error).message })
        }
      }
    })
    return this.deliveryChain
  }

  // -------------------------------------------------------------------------------------------------------------
  // Billing machinery shared by the API and the test controls.

  private seconds(): number {
    return Math.floor(this.now() / 1000)
  }

  private newId(prefix: string): string {
    this.seq += 1
    return `${prefix}_${this.seq.toString(36).padStart(5, '0')}${randomBytes(6).toString('hex')}`
  }

  private outcomeFor(sub: DoubleSubscription, behavior: string): PaymentOutcome {
    if (sub.collection_method === 'send_invoice' || behavior === 'default_incomplete') return { attempt: false, succeeds: false }
    return { attempt: true, succeeds: this.cards.has(sub.customer) && !this.failures.get(sub.customer)?.length }
  }

  private draftInvoice(sub: DoubleSubscription, reason: DoubleInvoice['billing_reason'], start: number, end: number): DoubleInvoice {
    const customer = this.customers.get(sub.customer)
    const id = this.newId('in')
    const created = this.seconds()
    const lines = sub.items.data.map((item): DoubleInvoiceLine => {
      const amount = item.price.unit_amount * item.quantity
      return {
        id: this.newId('il'),
        object: 'line_item',
        amount,
        currency: 'usd',
        description: `${item.quantity} × ${item.price.product} (at $${(item.price.unit_amount / 100).toFixed(2)} / month)`,
        invoice: id,
        livemode: false,
        metadata: {},
        parent: {
          type: 'subscription_item_details',
          subscription_item_details: { proration: false, subscription: sub.id, subscription_item: item.id },
        },
        period: { start, end },
        pricing: {
          type: 'price_details',
          price_details: { price: item.price.id, product: item.price.product },
          unit_amount_decimal: item.price.unit_amount_decimal,
        },
        quantity: item.quantity,
        subscription: sub.id,
        subtotal: amount,
      }
    })
    const amount = lines.reduce((sum, line) => sum + line.amount, 0)
    const invoice: DoubleInvoice = {
      id,
      object: 'invoice',
      amount_due: amount,
      amount_overpaid: 0,
      amount_paid: 0,
      amount_paid_off_stripe: 0,
      amount_remaining: amount,
      attempt_count: 0,
      attempted: false,
      auto_advance: true,
      billing_reason: reason,
      collection_method: sub.collection_method,
      created,
      currency: 'usd',
      customer: sub.customer,
      customer_email: customer?.email ?? null,
      customer_name: customer?.name ?? null,
      description: null,
      due_date: sub.collection_method === 'send_invoice' ? created + (sub.days_until_due ?? 0) * 86_400 : null,
      effective_at: null,
      hosted_invoice_url: null,
      invoice_pdf: null,
      lines: { object: 'list', data: lines, has_more: false, total_count: lines.length, url: `/v1/invoices/${id}/lines` },
      livemode: false,
      metadata: {},
      next_payment_attempt: null,
      number: null,
      parent: {
        type: 'subscription_details',
        quote_details: null,
        subscription_details: { metadata: { ...sub.metadata }, subscription: sub.id },
      },
      period_end: end,
      period_start: start,
      status: 'draft',
      status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
      subscription: sub.id,
      subtotal: amount,
      total: amount,
    }
    this.invoices.set(id, invoice)
    return invoice
  }

  // draft → open (`invoice.finalized`); a zero amount is paid at once, as Stripe does.
  private finalize(invoice: DoubleInvoice): void {
    const at = this.seconds()
    this.invoiceNumber += 1
    invoice.status = 'open'
    invoice.number = `DBL-${String(this.invoiceNumber).padStart(4, '0')}`
    invoice.effective_at = at
    invoice.status_transitions.finalized_at = at
    invoice.hosted_invoice_url = `${this.url}/invoice/${invoice.id}`
    invoice.invoice_pdf = `${this.url}/invoice/${invoice.id}/pdf`
    this.emit('invoice.finalized', invoice)
  }

  // Finalizes and, per the outcome, charges the card.
  private advanceInvoice(invoice: DoubleInvoice, outcome: PaymentOutcome): void {
    this.finalize(invoice)
    if (invoice.amount_due === 0) return this.markPaid(invoice, false)
    if (!outcome.attempt) return
    if (outcome.succeeds) this.markPaid(invoice, false)
    else this.markFailed(invoice)
  }

  private markPaid(invoice: DoubleInvoice, offStripe: boolean): void {
    const at = this.seconds()
    if (!offStripe && invoice.amount_due > 0) {
      invoice.attempt_count += 1
      invoice.attempted = true
    }
    invoice.status = 'paid'
    invoice.amount_paid = invoice.amount_due
    invoice.amount_remaining = 0
    if (offStripe) invoice.amount_paid_off_stripe = invoice.amount_due
    invoice.next_payment_attempt = null
    invoice.status_transitions.paid_at = at
    invoice.auto_advance = false
    const customer = this.customers.get(invoice.customer)
    if (customer) customer.delinquent = false
    this.emit('invoice.paid', invoice)
    // Paying the latest invoice brings an incomplete / past_due / unpaid subscription back to active.
    const sub = this.subscriptions.get(invoice.subscription)
    if (sub && sub.latest_invoice === invoice.id && ['incomplete', 'past_due', 'unpaid'].includes(sub.status)) {
      const before = clone(sub)
      sub.status = 'active'
      this.emitUpdated(sub, before)
    }
  }

  // A failed charge: without a card nothing is consumed; with one, the queued failure is.
  private markFailed(invoice: DoubleInvoice): PaymentFailure {
    const reason = (this.cards.has(invoice.customer) && this.failures.get(invoice.customer)?.shift()) || 'declined'
    invoice.attempt_count += 1
    invoice.attempted = true
    invoice.next_payment_attempt = this.seconds() + 3 * 86_400
    const customer = this.customers.get(invoice.customer)
    if (customer) customer.delinquent = true
    this.emit(reason === 'requires_action' ? 'invoice.payment_action_required' : 'invoice.payment_failed', invoice)
    const sub = this.subscriptions.get(invoice.subscription)
    if (sub && sub.latest_invoice === invoice.id && sub.status === 'active') {
      const before = clone(sub)
      sub.status = 'past_due'
      this.emitUpdated(sub, before)
    }
    return reason
  }

  private markInvoiceUncollectible(invoice: DoubleInvoice): void {
    if (invoice.status !== 'open') throw invalid('id', `You can only mark an open invoice as uncollectible; this one is ${invoice.status}.`)
    invoice.status = 'uncollectible'
    invoice.status_transitions.marked_uncollectible_at = this.seconds()
    invoice.next_payment_attempt = null
    this.emit('invoice.marked_uncollectible', invoice)
  }

  private cancel(sub: DoubleSubscription, reason: string): void {
    const at = this.seconds()
    sub.status = 'canceled'
    sub.canceled_at = at
    sub.ended_at = at
    sub.cancellation_details = { ...sub.cancellation_details, reason }
    this.emit('customer.subscription.deleted', sub)
  }

  private price(id: string, param: string): DoublePrice {
    const price = this.prices.get(id)
    if (!price) throw noSuch('price', id, param)
    return price
  }

  private newItem(sub: { id: string }, price: DoublePrice, quantity: number, start: number, end: number, metadata: Metadata): DoubleSubscriptionItem {
    return {
      id: this.newId('si'),
      object: 'subscription_item',
      created: this.seconds(),
      current_period_start: start,
      current_period_end: end,
      discounts: [],
      metadata,
      price,
      quantity,
      subscription: sub.id,
      tax_rates: [],
    }
  }

  private refuseDuplicatePrices(items: DoubleSubscriptionItem[]): void {
    const seen = new Set<string>()
    for (const item of items) {
      if (seen.has(item.price.id)) {
        throw invalid('items', `Cannot add multiple subscription items with the same price: ${item.price.id}`)
      }
      seen.add(item.price.id)
    }
  }

  private lookup(id: string): object | undefined {
    const prefix = id.slice(0, id.indexOf('_'))
    const table: Record<string, Map<string, object>> = {
      cus: this.customers,
      sub: this.subscriptions,
      in: this.invoices,
      price: this.prices,
      bps: this.portalSessions,
    }
    return table[prefix]?.get(id)
  }

  // `expand[]=latest_invoice`, `expand[]=data.customer`, `expand[]=latest_invoice.customer` …
  private expand(value: unknown, paths: string[]): unknown {
    const out = clone(value) as Record<string, unknown>
    for (const path of paths) this.expandPath(out, path.split('.'), path)
    return out
  }

  private expandPath(target: Record<string, unknown>, segments: string[], path: string): void {
    const [head, ...rest] = segments
    if (head === undefined) return
    if (target.object === 'list' && head === 'data') {
      for (const entry of target.data as Record<string, unknown>[]) this.expandPath(entry, rest, path)
      return
    }
    const current = target[head]
    if (typeof current === 'string') {
      const found = this.lookup(current)
      if (!found) throw invalid('expand', `This property cannot be expanded (${path}).`)
      target[head] = clone(found)
    } else if (current === null) {
      return
    } else if (typeof current !== 'object' || rest.length === 0) {
      throw invalid('expand', `This property cannot be expanded (${path}).`)
    }
    if (rest.length > 0) this.expandPath(target[head] as Record<string, unknown>, rest, path)
  }

  private respond(ctx: RequestContext, value: unknown): { body: unknown } {
    const paths = ctx.params.expand
    if (paths === undefined) return { body: clone(value) }
    const list = (Array.isArray(paths) ? paths : [paths]).filter((p): p is string => typeof p === 'string')
    return { body: this.expand(value, list) }
  }

  // Cursor pagination, newest first (Stripe orders by `created` desc; ids break ties in creation order).
  private paginate<T extends { id: string; created: number }>(ctx: RequestContext, all: T[], url: string, what: string): StripeList<T> {
    const limit = int(ctx.params, 'limit') ?? 10
    if (limit < 1 || limit > 100) throw invalid('limit', 'Invalid limit: must be between 1 and 100.')
    const ordered = [...all].reverse().sort((a, b) => b.created - a.created)
    const after = str(ctx.params, 'starting_after')
    const before = str(ctx.params, 'ending_before')
    let slice = ordered
    if (after !== undefined) {
      const i = ordered.findIndex((o) => o.id === after)
      if (i < 0) throw noSuch(what, after, 'starting_after')
      slice = ordered.slice(i + 1)
    } else if (before !== undefined) {
      const i = ordered.findIndex((o) => o.id === before)
      if (i < 0) throw noSuch(what, before, 'ending_before')
      slice = ordered.slice(Math.max(0, i - limit), i)
      return { object: 'list', data: slice, has_more: i - limit > 0, url }
    }
    return { object: 'list', data: slice.slice(0, limit), has_more: slice.length > limit, url }
  }

  // -------------------------------------------------------------------------------------------------------------
  // HTTP.

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      if (req.method === 'GET' && this.servePage(url.pathname, res)) return
      const requestId = this.newId('req')
      const stripeVersion = header(req, 'stripe-version')
      const idempotencyKey = req.method === 'POST' ? header(req, 'idempotency-key') : null
      const record: RecordedRequest = {
        method: req.method ?? 'GET',
        endpoint: `${req.method} ${url.pathname}`,
        path: url.pathname,
        params: {},
        idempotencyKey,
        stripeVersion,
        status: 0,
        replayed: false,
      }
      this.requests.push(record)
      const send = (status: number, body: string, extra: Record<string, string> = {}) => {
        record.status = status
        res.writeHead(status, {
          'content-type': 'application/json',
          'request-id': requestId,
          'stripe-version': stripeVersion ?? STRIPE_DOUBLE_API_VERSION,
          ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
          ...extra,
        })
        res.end(body)
        void this.flush()
      }
      const sendError = (err: StripeApiError) => send(err.status, JSON.stringify({ error: { ...err.body, request_log_url: null } }, null, 2))
      try {
        this.authenticate(header(req, 'authorization'))
        const route = this.routes.find((r) => r.method === req.method && r.pattern.test(url.pathname))
        if (!route) {
          throw new StripeApiError(404, {
            message: `Unrecognized request URL (${req.method}: ${url.pathname}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
          })
        }
        record.endpoint = route.endpoint
        const params = { ...parseStripeParams(url.search.slice(1)), ...(raw ? parseStripeParams(raw) : {}) }
        record.params = params
        const fingerprint = canonical(params)
        if (idempotencyKey) {
          const prior = this.idempotency.get(idempotencyKey)
          if (prior) {
            if (prior.endpoint !== route.endpoint || prior.fingerprint !== fingerprint) {
              throw new StripeApiError(400, {
                type: 'idempotency_error',
                message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
              })
            }
            record.replayed = true
            return send(prior.status, prior.body, { 'idempotent-replayed': 'true' })
          }
        }
        const allowed = ALLOWED[route.endpoint]
        if (allowed) checkAllowed(params, allowed)
        const ids = route.pattern.exec(url.pathname)!.slice(1).map(decodeURIComponent)
        this.currentRequest = { id: requestId, idempotency_key: idempotencyKey }
        let result: { status?: number; body: unknown }
        try {
          result = route.handle({ params, ids, requestId, idempotencyKey })
        } catch (err) {
          // Card declines happen while the request executes: Stripe stores them under the key like successes.
          if (err instanceof StripeApiError && err.status === 402 && idempotencyKey) {
            const body = JSON.stringify({ error: { ...err.body, request_log_url: null } }, null, 2)
            this.idempotency.set(idempotencyKey, { endpoint: route.endpoint, fingerprint, status: 402, body })
          }
          throw err
        } finally {
          this.currentRequest = { id: null, idempotency_key: null }
        }
        const status = result.status ?? 200
        const body = JSON.stringify(result.body, null, 2)
        if (idempotencyKey) this.idempotency.set(idempotencyKey, { endpoint: route.endpoint, fingerprint, status, body })
        send(status, body)
      } catch (err) {
        if (err instanceof StripeApiError) return sendError(err)
        sendError(new StripeApiError(500, { type: 'api_error', message: `Stripe double: ${(err as Error).stack ?? String(err)}` }))
      }
    })
  }

  private authenticate(authorization: string | null): void {
    if (!authorization) {
      throw new StripeApiError(401, {
        message:
          "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
      })
    }
    const m = /^Bearer (.+)$/.exec(authorization)
    if (!m || m[1] !== this.apiKey) {
      const shown = m ? `${m[1]!.slice(0, 8)}****${m[1]!.slice(-4)}` : 'invalid'
      throw new StripeApiError(401, { code: 'api_key_invalid', message: `Invalid API Key provided: ${shown}` })
    }
  }

  // Minimal HTML for the portal and hosted-invoice links, so a browser test can follow them.
  private servePage(path: string, res: http.ServerResponse): boolean {
    const portal = /^\/portal\/([^/]+)$/.exec(path)
    const hosted = /^\/invoice\/([^/]+)(?:\/pdf)?$/.exec(path)
    let html: string | null = null
    if (portal) {
      const session = this.portalSessions.get(portal[1]!)
      if (session) {
        const back = session.return_url ? `<a href="${escapeHtml(session.return_url)}">Return</a>` : ''
        html = `<h1>Billing portal</h1><p>Customer ${escapeHtml(session.customer)}</p>${back}`
      }
    } else if (hosted) {
      const invoice = this.invoices.get(hosted[1]!)
      if (invoice) {
        html = `<h1>Invoice ${escapeHtml(invoice.number ?? invoice.id)}</h1><p>Status: ${invoice.status}</p><p>Amount due: ${invoice.amount_due} ${invoice.currency}</p>`
      }
    } else {
      return false
    }
    if (html === null) res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
    else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><title>Stripe double</title>${html}`)
    return true
  }

  private buildRoutes(): Route[] {
    const route = (method: string, path: string, handle: Route['handle']): Route => ({
      method,
      endpoint: `${method} ${path}`,
      pattern: new RegExp(`^${path.replace(/:[a-z]+/g, '([^/]+)')}$`),
      handle,
    })
    return [
      route('POST', '/v1/customers', (ctx) => this.createCustomer(ctx)),
      route('GET', '/v1/customers/:id', (ctx) => this.respond(ctx, this.customerOr404(ctx.ids[0]!))),
      route('POST', '/v1/customers/:id', (ctx) => this.updateCustomer(ctx)),
      route('POST', '/v1/subscriptions', (ctx) => this.createSubscription(ctx)),
      route('GET', '/v1/subscriptions', (ctx) => this.listSubscriptions(ctx)),
      route('GET', '/v1/subscriptions/:id', (ctx) => this.respond(ctx, this.subscriptionOr404(ctx.ids[0]!))),
      route('POST', '/v1/subscriptions/:id', (ctx) => this.updateSubscription(ctx)),
      route('DELETE', '/v1/subscriptions/:id', (ctx) => this.cancelSubscription(ctx)),
      route('GET', '/v1/invoices', (ctx) => this.listInvoices(ctx)),
      route('GET', '/v1/invoices/:id', (ctx) => this.respond(ctx, this.invoiceOr404(ctx.ids[0]!))),
      route('POST', '/v1/invoices/:id/pay', (ctx) => this.payInvoiceRequest(ctx)),
      route('POST', '/v1/invoices/:id/mark_uncollectible', (ctx) => {
        const invoice = this.invoiceOr404(ctx.ids[0]!)
        this.markInvoiceUncollectible(invoice)
        return this.respond(ctx, invoice)
      }),
      route('POST', '/v1/billing_portal/sessions', (ctx) => this.createPortalSession(ctx)),
      route('GET', '/v1/prices/:id', (ctx) => {
        const price = this.prices.get(ctx.ids[0]!)
        if (!price) throw noSuch('price', ctx.ids[0]!)
        return this.respond(ctx, price)
      }),
      route('GET', '/v1/prices', (ctx) => this.respond(ctx, this.paginate(ctx, [...this.prices.values()], '/v1/prices', 'price'))),
      route('GET', '/v1/events/:id', (ctx) => {
        const event = this.events.find((e) => e.id === ctx.ids[0])
        if (!event) throw noSuch('event', ctx.ids[0]!)
        return this.respond(ctx, event)
      }),
    ]
  }

  private customerOr404(id: string, param = 'id'): DoubleCustomer {
    const customer = this.customers.get(id)
    if (!customer) throw noSuch('customer', id, param)
    return customer
  }

  private subscriptionOr404(id: string): DoubleSubscription {
    const sub = this.subscriptions.get(id)
    if (!sub) throw noSuch('subscription', id)
    return sub
  }

  private invoiceOr404(id: string): DoubleInvoice {
    const invoice = this.invoices.get(id)
    if (!invoice) throw noSuch('invoice', id)
    return invoice
  }

  // -------------------------------------------------------------------------------------------------------------
  // Endpoints.

  private createCustomer(ctx: RequestContext) {
    const p = ctx.params
    const settings = obj(p, 'invoice_settings')
    const customer: DoubleCustomer = {
      id: this.newId('cus'),
      object: 'customer',
      balance: 0,
      created: this.seconds(),
      currency: null,
      default_source: null,
      delinquent: false,
      description: str(p, 'description') ?? null,
      email: str(p, 'email') || null,
      invoice_settings: {
        custom_fields: null,
        default_payment_method: (settings && str(settings, 'default_payment_method', 'invoice_settings[default_payment_method]')) || null,
        footer: null,
        rendering_options: null,
      },
      livemode: false,
      metadata: mergeMetadata({}, p),
      name: str(p, 'name') || null,
      phone: str(p, 'phone') || null,
      preferred_locales: [],
      tax_exempt: 'none',
    }
    this.customers.set(customer.id, customer)
    this.emit('customer.created', customer)
    return this.respond(ctx, customer)
  }

  private updateCustomer(ctx: RequestContext) {
    const customer = this.customerOr404(ctx.ids[0]!)
    const p = ctx.params
    const before = clone(customer)
    if (p.name !== undefined) customer.name = str(p, 'name') || null
    if (p.email !== undefined) customer.email = str(p, 'email') || null
    if (p.description !== undefined) customer.description = str(p, 'description') || null
    if (p.phone !== undefined) customer.phone = str(p, 'phone') || null
    customer.metadata = mergeMetadata(customer.metadata, p)
    const previous: Record<string, unknown> = {}
    for (const key of Object.keys(customer) as (keyof DoubleCustomer)[]) {
      if (canonical(customer[key]) !== canonical(before[key])) previous[key] = before[key]
    }
    if (Object.keys(previous).length > 0) this.emit('customer.updated', customer, previous)
    return this.respond(ctx, customer)
  }

  private createSubscription(ctx: RequestContext) {
    const p = ctx.params
    const customerId = str(p, 'customer')
    if (!customerId) throw missing('customer')
    this.customerOr404(customerId, 'customer')
    const itemParams = list(p, 'items')
    if (!itemParams || itemParams.length === 0) throw missing('items')
    const collection = oneOf(p, 'collection_method', ['charge_automatically', 'send_invoice'] as const) ?? 'charge_automatically'
    const behavior =
      oneOf(p, 'payment_behavior', ['allow_incomplete', 'default_incomplete', 'error_if_incomplete', 'pending_if_incomplete'] as const) ??
      'allow_incomplete'
    oneOf(p, 'proration_behavior', ['always_invoice', 'create_prorations', 'none'] as const)
    const daysUntilDue = int(p, 'days_until_due') ?? null
    if (collection === 'send_invoice' && daysUntilDue === null) throw missing('days_until_due')
    const start = this.seconds()
    const end = addMonth(start)
    const id = this.newId('sub')
    const items = itemParams.map((item, i) => {
      checkAllowed(item, ITEM_CREATE, `items[${i}]`)
      const priceId = str(item, 'price', `items[${i}][price]`)
      if (!priceId) throw missing(`items[${i}][price]`)
      const price = this.price(priceId, `items[${i}][price]`)
      const quantity = int(item, 'quantity', `items[${i}][quantity]`) ?? 1
      return this.newItem({ id }, price, quantity, start, end, mergeMetadata({}, item))
    })
    this.refuseDuplicatePrices(items)
    const sub: DoubleSubscription = {
      id,
      object: 'subscription',
      billing_cycle_anchor: start,
      cancel_at: null,
      cancel_at_period_end: bool(p, 'cancel_at_period_end') ?? false,
      canceled_at: null,
      cancellation_details: { comment: null, feedback: null, reason: null },
      collection_method: collection,
      created: start,
      currency: 'usd',
      customer: customerId,
      days_until_due: daysUntilDue,
      default_payment_method: null,
      description: str(p, 'description') ?? null,
      ended_at: null,
      items: { object: 'list', data: items, has_more: false, total_count: items.length, url: `/v1/subscription_items?subscription=${id}` },
      latest_invoice: null,
      livemode: false,
      metadata: mergeMetadata({}, p),
      start_date: start,
      status: 'incomplete',
    }
    const amount = items.reduce((sum, item) => sum + item.price.unit_amount * item.quantity, 0)
    const outcome = this.outcomeFor(sub, behavior)
    const paid = amount === 0 || (outcome.attempt && outcome.succeeds)
    if (behavior === 'error_if_incomplete' && outcome.attempt && !paid) {
      // Stripe creates nothing when the first payment fails under error_if_incomplete.
      if (!this.cards.has(customerId)) {
        throw invalid('customer', 'This customer has no attached payment source or default payment method.')
      }
      throw this.cardError(this.failures.get(customerId)!.shift()!)
    }
    sub.status = paid || collection === 'send_invoice' ? 'active' : 'incomplete'
    this.subscriptions.set(id, sub)
    const invoice = this.draftInvoice(sub, 'subscription_create', start, end)
    sub.latest_invoice = invoice.id
    // Stripe's order: the subscription, then its first invoice created, finalized and charged.
    this.emit('customer.subscription.created', sub)
    this.emit('invoice.created', invoice)
    this.advanceInvoice(invoice, outcome)
    return this.respond(ctx, sub)
  }

  private listSubscriptions(ctx: RequestContext) {
    const p = ctx.params
    const customer = str(p, 'customer')
    const price = str(p, 'price')
    const status = str(p, 'status')
    const all = [...this.subscriptions.values()].filter(
      (s) =>
        (!customer || s.customer === customer) &&
        (!price || s.items.data.some((i) => i.price.id === price)) &&
        // Stripe's default leaves canceled subscriptions out; `all` includes them.
        (status === 'all' || (status ? s.status === status : s.status !== 'canceled')),
    )
    return this.respond(ctx, this.paginate(ctx, all, '/v1/subscriptions', 'subscription'))
  }

  private updateSubscription(ctx: RequestContext) {
    const sub = this.subscriptionOr404(ctx.ids[0]!)
    const p = ctx.params
    if (sub.status === 'canceled' || sub.status === 'incomplete_expired') {
      const changing = Object.keys(p).filter((k) => !['metadata', 'cancellation_details', 'expand'].includes(k))
      if (changing.length > 0) throw invalid(changing[0]!, 'A canceled subscription can only update its cancellation_details and metadata.')
    }
    oneOf(p, 'proration_behavior', ['always_invoice', 'create_prorations', 'none'] as const)
    oneOf(p, 'payment_behavior', ['allow_incomplete', 'default_incomplete', 'error_if_incomplete', 'pending_if_incomplete'] as const)
    const before = clone(sub)
    const items = clone(sub.items.data)
    const start = items[0]?.current_period_start ?? this.seconds()
    const end = items[0]?.current_period_end ?? addMonth(start)
    const removed = new Set<string>()
    for (const [i, entry] of (list(p, 'items') ?? []).entries()) {
      checkAllowed(entry, ITEM_UPDATE, `items[${i}]`)
      const itemId = str(entry, 'id', `items[${i}][id]`)
      const priceId = str(entry, 'price', `items[${i}][price]`)
      const quantity = int(entry, 'quantity', `items[${i}][quantity]`)
      if (itemId) {
        const item = items.find((it) => it.id === itemId)
        if (!item || removed.has(itemId)) throw noSuch('subscription item', itemId, `items[${i}][id]`)
        if (bool(entry, 'deleted', `items[${i}][deleted]`)) {
          removed.add(itemId)
          continue
        }
        if (priceId) item.price = this.price(priceId, `items[${i}][price]`)
        if (quantity !== undefined) item.quantity = quantity
        item.metadata = mergeMetadata(item.metadata, entry)
      } else {
        if (!priceId) throw missing(`items[${i}][price]`)
        const price = this.price(priceId, `items[${i}][price]`)
        items.push(this.newItem(sub, price, quantity ?? 1, start, end, mergeMetadata({}, entry)))
      }
    }
    const kept = items.filter((it) => !removed.has(it.id))
    this.refuseDuplicatePrices(kept)
    if (kept.length === 0) {
      throw invalid('items', 'A subscription must have at least one item. To end it, cancel the subscription instead.')
    }
    const metadata = mergeMetadata(sub.metadata, p)
    const cancelAtPeriodEnd = bool(p, 'cancel_at_period_end')
    const description = str(p, 'description')
    // Validation passed: apply.
    sub.items = { ...sub.items, data: kept, total_count: kept.length }
    sub.metadata = metadata
    if (cancelAtPeriodEnd !== undefined) {
      sub.cancel_at_period_end = cancelAtPeriodEnd
      sub.cancel_at = cancelAtPeriodEnd ? end : null
    }
    if (description !== undefined) sub.description = description || null
    this.emitUpdated(sub, before)
    return this.respond(ctx, sub)
  }

  private cancelSubscription(ctx: RequestContext) {
    const sub = this.subscriptionOr404(ctx.ids[0]!)
    // Stripe treats a canceled subscription as gone for a second cancel.
    if (sub.status === 'canceled') throw noSuch('subscription', sub.id)
    this.cancel(sub, 'cancellation_requested')
    return this.respond(ctx, sub)
  }

  private listInvoices(ctx: RequestContext) {
    const p = ctx.params
    const customer = str(p, 'customer')
    const subscription = str(p, 'subscription')
    const status = oneOf(p, 'status', ['draft', 'open', 'paid', 'uncollectible', 'void'] as const)
    const all = [...this.invoices.values()].filter(
      (inv) =>
        (!customer || inv.customer === customer) &&
        (!subscription || inv.subscription === subscription) &&
        (!status || inv.status === status),
    )
    return this.respond(ctx, this.paginate(ctx, all, '/v1/invoices', 'invoice'))
  }

  private payInvoiceRequest(ctx: RequestContext) {
    const invoice = this.invoiceOr404(ctx.ids[0]!)
    const p = ctx.params
    const outOfBand = bool(p, 'paid_out_of_band') ?? false
    if (invoice.status === 'paid') throw invalid('id', 'Invoice is already paid')
    if (invoice.status === 'void') throw invalid('id', 'You cannot pay a void invoice.')
    if (invoice.status === 'draft') this.finalize(invoice)
    if (outOfBand || invoice.amount_due === 0) {
      this.markPaid(invoice, true)
      return this.respond(ctx, invoice)
    }
    if (!this.cards.has(invoice.customer)) {
      throw invalid('customer', 'This customer has no attached payment source or default payment method.')
    }
    if (this.failures.get(invoice.customer)?.length) throw this.cardError(this.markFailed(invoice))
    this.markPaid(invoice, false)
    return this.respond(ctx, invoice)
  }

  private cardError(reason: PaymentFailure): StripeApiError {
    if (reason === 'requires_action') {
      return new StripeApiError(402, {
        type: 'card_error',
        code: 'invoice_payment_intent_requires_action',
        message: 'This payment requires additional user action before it can be completed successfully.',
      })
    }
    return new StripeApiError(402, { type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' })
  }

  private createPortalSession(ctx: RequestContext) {
    const p = ctx.params
    const customerId = str(p, 'customer')
    if (!customerId) throw missing('customer')
    this.customerOr404(customerId, 'customer')
    const id = this.newId('bps')
    const session: DoublePortalSession = {
      id,
      object: 'billing_portal.session',
      configuration: 'bpc_double',
      created: this.seconds(),
      customer: customerId,
      livemode: false,
      locale: str(p, 'locale') ?? null,
      return_url: str(p, 'return_url') ?? null,
      url: `${this.url}/portal/${id}`,
    }
    this.portalSessions.set(id, session)
    return this.respond(ctx, session)
  }
}

function header(req: http.IncomingMessage, name: string): string | null {
  const v = req.headers[name]
  return (Array.isArray(v) ? v[0] : v) ?? null
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
