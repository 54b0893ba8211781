// Lightning collection of Stripe invoices over Nostr Wallet Connect.
//
// For an open invoice the operator's wallet issues a bolt11 for the amount at the spot BTC price; a tenant with a
// wallet pays it (`pay_invoice`); the operator's wallet confirms it (`lookup_invoice`, authoritative); then the
// Stripe invoice is marked paid out of band. The `invoice_nwc_payment` row (one per Stripe invoice) makes this
// exactly-once: a pay attempt is recorded as `sent` before it is sent, a timeout leaves it `unknown` (not failed),
// and a new bolt11 — for a retry or for manual payment — is made only once the previous one is known expired or
// failed, so two payments can never both settle. Without a wallet, the tenant pays the bolt11 by hand.
import type { Logger } from 'pino'
import type Stripe from 'stripe'
import type { InvoicePaymentRow, TenantRow } from '../db/schema.js'
import { DomainError } from '../platform/errors.js'
import { nowSeconds } from '../platform/ids.js'
import type { Platform } from '../platform/platform.js'
import { retryDelayMs } from '../workers/backoff.js'
import { realClock, type Clock } from '../workers/clock.js'
import { centsToMsats, type BtcPriceSource } from './btc-price.js'
import { NwcError, NwcTimeout, NwcWallet, preimageMatches, RETRYABLE_NWC_CODES, type LightningWallet } from './nwc.js'
import type { StripeGateway } from './stripe-gateway.js'

/** What the robot DMs when auto-pay fails (its outbox keys it by invoice and bolt11 revision). */
export interface AutopayFailure {
  tenant: string
  invoiceId: string
  attempt: number
  reason: string
}

export interface LightningOptions {
  /** The operator's wallet (ROBOT_WALLET): makes and looks up invoices. */
  robotWallet: LightningWallet
  /** Opens a tenant's wallet from its URI (the SDK client by default). */
  openWallet?: (uri: string) => Promise<LightningWallet>
  prices: BtcPriceSource
  clock?: Clock
  payTimeoutMs?: number
  lookupTimeoutMs?: number
  /** Lifetime of a bolt11 we issue; short, so a stuck one is replaced soon. */
  invoiceExpirySeconds?: number
  checkEveryMs?: number
  /** Tells the tenant (a NIP-17 DM from the robot) that auto-pay failed. */
  autopayFailed?: (failure: AutopayFailure) => void
}

export interface LightningPayment {
  invoice_id: string
  status: 'none' | 'pending' | 'paid' | 'expired' | 'in-progress'
  bolt11: string | null
  amount_sats: number | null
  amount_cents: number | null
  expires_at: number | null
}

const MIN_REMAINING_SECONDS = 60

export class Lightning {
  private readonly log: Logger
  private readonly clock: Clock
  private readonly locks = new Map<string, Promise<unknown>>()
  private readonly retries = new Map<string, { handle: unknown; attempts: number }>()
  private checkTimer: unknown
  private stopped = false

  constructor(
    private readonly platform: Platform,
    private readonly gateway: StripeGateway,
    private readonly options: LightningOptions,
  ) {
    this.log = platform.log.child({ component: 'lightning' })
    this.clock = options.clock ?? realClock
  }

  start(): void {
    this.stopped = false
    this.scheduleCheck()
  }

  stop(): void {
    this.stopped = true
    this.clock.clearTimeout(this.checkTimer)
    for (const { handle } of this.retries.values()) this.clock.clearTimeout(handle)
    this.retries.clear()
  }

  /** Waits for the work started so far (every invoice, and background look-ups of open invoices). */
  async idle(): Promise<void> {
    while (this.locks.size > 0 || this.background.size > 0) await Promise.allSettled([...this.locks.values(), ...this.background])
  }

  private readonly background = new Set<Promise<unknown>>()

  /** Runs work the caller does not wait for, keeping track of it for `idle()` and logging its failure. */
  private inBackground(what: string, work: Promise<unknown>): void {
    const tracked = work.catch((err) => this.log.warn({ err: (err as Error).message }, `${what} failed`)).finally(() => this.background.delete(tracked))
    this.background.add(tracked)
  }

  /** A tenant saved a wallet for the first time: pay its open invoices, in the background. */
  walletSaved(pubkey: string): void {
    this.inBackground('collecting open invoices', this.collectOpenInvoices(pubkey))
  }

  /** Stripe opened (or finalized) an invoice for this tenant: collect it when the tenant has a wallet. */
  onInvoiceOpened(tenant: TenantRow, invoice: Stripe.Invoice): void {
    if (invoice.id && tenant.nwc_url) this.collectInBackground(invoice.id)
  }

  /** A tenant saved a wallet: pay every open invoice with an amount due. */
  async collectOpenInvoices(pubkey: string): Promise<void> {
    const tenant = await this.platform.queries.getTenant(pubkey)
    if (!tenant?.stripe_customer_id || !tenant.nwc_url) return
    const open = await this.gateway.client.invoices.list({ customer: tenant.stripe_customer_id, status: 'open', limit: 100 })
    for (const invoice of open.data) if (invoice.id && invoice.amount_remaining > 0) this.collectInBackground(invoice.id, { afterNewWallet: true })
  }

  collectInBackground(invoiceId: string, options: { afterNewWallet?: boolean } = {}): void {
    this.inBackground(`lightning collection of ${invoiceId}`, this.collect(invoiceId, options))
  }

  /** One collection attempt for the invoice (serialised per invoice). */
  collect(invoiceId: string, options: { afterNewWallet?: boolean } = {}): Promise<void> {
    return this.locked(invoiceId, () => this.collectOnce(invoiceId, options))
  }

  /** Manual payment: a bolt11 the tenant can pay by hand, never one an NWC attempt may still settle. */
  pay(invoiceId: string, caller: { pubkey: string; isAdmin: boolean }): Promise<LightningPayment> {
    return this.locked(invoiceId, async () => {
      const { invoice, tenant } = await this.invoiceFor(invoiceId, caller)
      if (invoice.status === 'paid') return this.view(invoiceId, await this.row(invoiceId), 'paid')
      if (invoice.status !== 'open' || invoice.amount_remaining <= 0) {
        throw new DomainError(409, 'invoice-not-open', `this invoice is ${invoice.status ?? 'not open'}; only open invoices can be paid`)
      }
      let row = await this.ensureRow(invoice, tenant)
      if (row.state === 'paid') return this.view(invoiceId, row, 'paid')
      if (row.bolt11 && (row.pay_attempt === 'sent' || row.pay_attempt === 'unknown')) {
        const outcome = await this.confirm(row)
        if (outcome === 'settled') return this.view(invoiceId, await this.row(invoiceId), 'paid')
        if (outcome === 'pending') {
          throw new DomainError(409, 'payment-in-progress', 'a wallet payment of this invoice is still in progress; try again in a few minutes')
        }
      }
      if (!row.bolt11 || row.pay_attempt !== 'none' || (row.bolt11_expires_at ?? 0) < nowSeconds() + MIN_REMAINING_SECONDS) {
        row = await this.issueBolt11(invoice, row)
      }
      return this.view(invoiceId, row, 'pending')
    })
  }

  /** Where the invoice's Lightning payment stands (checks the wallet when a bolt11 is outstanding). */
  status(invoiceId: string, caller: { pubkey: string; isAdmin: boolean }): Promise<LightningPayment> {
    return this.locked(invoiceId, async () => {
      await this.invoiceFor(invoiceId, caller)
      const row = await this.row(invoiceId)
      if (!row) return this.view(invoiceId, undefined, 'none')
      if (row.state === 'paid') return this.view(invoiceId, row, 'paid')
      if (!row.bolt11) return this.view(invoiceId, row, 'none')
      const outcome = await this.confirm(row)
      if (outcome === 'settled') return this.view(invoiceId, await this.row(invoiceId), 'paid')
      if (outcome === 'dead') return this.view(invoiceId, row, 'expired')
      return this.view(invoiceId, row, row.pay_attempt === 'none' ? 'pending' : 'in-progress')
    })
  }

  /** The background check: settles outstanding bolt11s, and retries collections whose attempt expired. */
  async checkPending(): Promise<void> {
    const rows = await this.platform.queries.listPendingInvoicePayments(500)
    for (const row of rows) {
      if (!row.bolt11) continue
      await this.locked(row.invoice_id, async () => {
        const current = await this.row(row.invoice_id)
        if (!current || current.state !== 'pending' || !current.bolt11) return
        const outcome = await this.confirm(current).catch(() => 'pending' as const)
        if (outcome === 'dead' && current.pay_attempt === 'unknown') this.retryLater(current.invoice_id, 0)
      })
    }
  }

  private scheduleCheck(): void {
    if (this.stopped) return
    this.checkTimer = this.clock.setTimeout(() => {
      this.checkPending()
        .catch((err) => this.log.warn({ err: (err as Error).message }, 'lightning check failed'))
        .finally(() => this.scheduleCheck())
    }, this.options.checkEveryMs ?? 15_000)
  }

  private async collectOnce(invoiceId: string, options: { afterNewWallet?: boolean }): Promise<void> {
    const invoice = await this.gateway.getInvoice(invoiceId)
    if (!invoice) return
    const customer = typeof invoice.customer === 'string' ? invoice.customer : invoice.customer?.id
    const tenant = customer ? await this.platform.queries.getTenantByStripeCustomerId(customer) : undefined
    if (!tenant) return
    let row = await this.row(invoiceId)
    if (invoice.status === 'paid') {
      if (row && row.state !== 'paid') await this.markPaid(row, false)
      return
    }
    // A draft's amount can still change: wait for invoice.finalized.
    if (invoice.status !== 'open' || invoice.amount_remaining <= 0) return
    if (row?.state === 'paid') return this.settle(row, false)
    if (row?.bolt11 && (row.pay_attempt === 'sent' || row.pay_attempt === 'unknown')) {
      const outcome = await this.confirm(row)
      if (outcome !== 'dead') return
      row = (await this.row(invoiceId))!
    }
    if (!tenant.nwc_url) return
    // A definite refusal stops auto-pay for this invoice until the tenant saves a wallet again.
    if (row?.pay_attempt === 'failed' && !options.afterNewWallet && !this.retries.has(invoiceId)) return
    row = await this.ensureRow(invoice, tenant)
    if (!row.bolt11 || row.pay_attempt !== 'none' || (row.bolt11_expires_at ?? 0) < nowSeconds() + MIN_REMAINING_SECONDS) {
      row = await this.issueBolt11(invoice, row)
    }
    await this.payWithTenantWallet(tenant, row)
  }

  private async payWithTenantWallet(tenant: TenantRow, row: InvoicePaymentRow): Promise<void> {
    // Recorded before sending: after a crash the attempt is known to be possibly in flight.
    if (!(await this.setAttempt(row, 'none', 'sent'))) return
    let wallet: LightningWallet | undefined
    try {
      wallet = await (this.options.openWallet ?? NwcWallet.connect)(this.platform.box.open(tenant.nwc_url!))
      const { preimage } = await wallet.payInvoice(row.bolt11!, this.options.payTimeoutMs ?? 30_000)
      if (!preimageMatches(preimage, row.payment_hash!)) this.log.warn({ invoice: row.invoice_id }, 'wallet returned a preimage that does not match')
      const confirmed = await this.confirm({ ...row, pay_attempt: 'sent' })
      if (confirmed !== 'settled') await this.setAttempt({ ...row, pay_attempt: 'sent' }, 'sent', 'unknown')
    } catch (err) {
      if (err instanceof NwcError) {
        await this.recordFailure(tenant, row, err)
        if (RETRYABLE_NWC_CODES.has(err.code)) this.retryLater(row.invoice_id)
      } else {
        // Unknown outcome: the background check settles it, or retries once the bolt11 is known dead.
        await this.setAttempt({ ...row, pay_attempt: 'sent' }, 'sent', 'unknown')
        const message = err instanceof NwcTimeout ? err.message : `wallet error: ${(err as Error).message}`
        this.log.warn({ invoice: row.invoice_id, error: message }, 'lightning payment outcome unknown')
      }
    } finally {
      wallet?.close()
    }
  }

  /**
   * Asks the operator's wallet about the current bolt11: settled → the invoice is settled here and in Stripe;
   * expired/failed → 'dead' (a new bolt11 may be issued); otherwise 'pending'.
   */
  private async confirm(row: InvoicePaymentRow): Promise<'settled' | 'pending' | 'dead'> {
    let looked
    try {
      looked = await this.options.robotWallet.lookupInvoice({ paymentHash: row.payment_hash! }, this.options.lookupTimeoutMs ?? 10_000)
    } catch (err) {
      this.log.warn({ invoice: row.invoice_id, err: (err as Error).message }, 'lookup_invoice failed')
      return 'pending'
    }
    if (looked.state === 'settled') {
      if (looked.preimage && !preimageMatches(looked.preimage, row.payment_hash!)) {
        this.log.error({ invoice: row.invoice_id }, 'operator wallet reported a settlement with a wrong preimage; not trusted')
        return 'pending'
      }
      await this.settle(row, row.pay_attempt !== 'none')
      return 'settled'
    }
    if (looked.state === 'expired' || looked.state === 'failed') return 'dead'
    if ((row.bolt11_expires_at ?? Infinity) < nowSeconds() - 60) return 'dead'
    return 'pending'
  }

  /** Marks the Stripe invoice paid out of band (idempotent), then records it paid here. */
  private async settle(row: InvoicePaymentRow, viaWallet: boolean): Promise<void> {
    try {
      await this.gateway.payInvoiceOutOfBand(row.invoice_id)
    } catch (err) {
      const current = await this.gateway.getInvoice(row.invoice_id)
      if (current?.status !== 'paid') throw err
    }
    await this.markPaid(row, viaWallet)
  }

  private async markPaid(row: InvoicePaymentRow, viaWallet: boolean): Promise<void> {
    await this.platform.commands.write(async (tx, record) => {
      const changed = await tx.run(
        tx.q
          .updateTable('invoice_nwc_payment')
          .set({ state: 'paid', settled_at: nowSeconds(), updated_at: nowSeconds(), last_error: null })
          .where('invoice_id', '=', row.invoice_id)
          .where('state', '=', 'pending'),
      )
      if (changed === 1 && viaWallet) {
        const cleared = await tx.run(tx.q.updateTable('tenant').set({ nwc_error: null }).where('pubkey', '=', row.tenant).where('nwc_error', 'is not', null))
        if (cleared === 1) await record('update_tenant', { tenant: row.tenant }, `auto-pay succeeded for invoice ${row.invoice_id}`)
      }
    })
    this.retries.delete(row.invoice_id)
  }

  private async recordFailure(tenant: TenantRow, row: InvoicePaymentRow, err: NwcError): Promise<void> {
    const reason = `${err.code}: ${err.message}`.slice(0, 200)
    await this.platform.commands.write(async (tx, record) => {
      await tx.run(
        tx.q
          .updateTable('invoice_nwc_payment')
          .set({ pay_attempt: 'failed', last_error: reason, updated_at: nowSeconds() })
          .where('invoice_id', '=', row.invoice_id)
          .where('revision', '=', row.revision),
      )
      await tx.run(tx.q.updateTable('tenant').set({ nwc_error: reason }).where('pubkey', '=', tenant.pubkey))
      await record('update_tenant', { tenant: tenant.pubkey }, `auto-pay failed for invoice ${row.invoice_id}: ${err.code}`)
    })
    this.options.autopayFailed?.({ tenant: tenant.pubkey, invoiceId: row.invoice_id, attempt: row.revision, reason })
  }

  private retryLater(invoiceId: string, delayMs?: number): void {
    if (this.stopped) return
    const previous = this.retries.get(invoiceId)
    const attempts = (previous?.attempts ?? 0) + 1
    if (attempts > 6) return
    if (previous) this.clock.clearTimeout(previous.handle)
    const delay = delayMs ?? retryDelayMs(attempts)
    const handle = this.clock.setTimeout(() => this.collectInBackground(invoiceId), delay)
    this.retries.set(invoiceId, { handle, attempts })
  }

  private async issueBolt11(invoice: Stripe.Invoice, row: InvoicePaymentRow): Promise<InvoicePaymentRow> {
    const usd = await this.options.prices.usd()
    const cents = invoice.amount_remaining
    const msats = centsToMsats(cents, usd)
    let made
    try {
      made = await this.options.robotWallet.makeInvoice({
        amountMsats: msats,
        description: `Caravel invoice ${invoice.number ?? invoice.id}`,
        expirySeconds: this.options.invoiceExpirySeconds ?? 600,
      })
    } catch (err) {
      // The operator's wallet is a dependency: its failure is ours to report as unavailable, never a 500.
      const why = err instanceof NwcError ? `${err.code}: ${err.message}` : (err as Error).message
      this.log.warn({ invoice: invoice.id, error: why }, 'the operator wallet could not issue an invoice')
      throw new DomainError(503, 'lightning-unavailable', 'the Lightning wallet of this deployment could not issue an invoice; try again in a moment')
    }
    const now = nowSeconds()
    const changed = await this.platform.db.transaction(async (tx) =>
      await tx.run(
        tx.q
          .updateTable('invoice_nwc_payment')
          .set({
            bolt11: made.invoice,
            payment_hash: made.paymentHash,
            bolt11_expires_at: made.expiresAt || now + (this.options.invoiceExpirySeconds ?? 600),
            amount_cents: cents,
            amount_msats: msats,
            btc_price_usd: usd,
            pay_attempt: 'none',
            revision: row.revision + 1,
            updated_at: now,
          })
          .where('invoice_id', '=', row.invoice_id)
          .where('revision', '=', row.revision)
          .where('state', '=', 'pending'),
      ),
    )
    if (changed !== 1) throw new DomainError(409, 'payment-changed', 'the payment of this invoice changed meanwhile; try again')
    return (await this.row(row.invoice_id))!
  }

  /** Compare-and-set of the pay attempt on the current bolt11. */
  private async setAttempt(row: InvoicePaymentRow, from: InvoicePaymentRow['pay_attempt'], to: InvoicePaymentRow['pay_attempt']): Promise<boolean> {
    const changed = await this.platform.db.transaction(async (tx) =>
      await tx.run(
        tx.q
          .updateTable('invoice_nwc_payment')
          .set({ pay_attempt: to, updated_at: nowSeconds() })
          .where('invoice_id', '=', row.invoice_id)
          .where('revision', '=', row.revision)
          .where('pay_attempt', '=', from),
      ),
    )
    return changed === 1
  }

  private async ensureRow(invoice: Stripe.Invoice, tenant: TenantRow): Promise<InvoicePaymentRow> {
    const now = nowSeconds()
    await this.platform.db.transaction(async (tx) =>
      await tx.run(
        tx.q
          .insertInto('invoice_nwc_payment')
          .values({ invoice_id: invoice.id!, tenant: tenant.pubkey, state: 'pending', created_at: now, updated_at: now, amount_cents: invoice.amount_remaining })
          .onConflict((oc) => oc.column('invoice_id').doNothing()),
      ),
    )
    return (await this.row(invoice.id!))!
  }

  private row(invoiceId: string): Promise<InvoicePaymentRow | undefined> {
    return this.platform.queries.getInvoicePayment(invoiceId)
  }

  /** The invoice and its tenant, if the caller may see it (404 otherwise: ids are not secrets, ownership is). */
  private async invoiceFor(invoiceId: string, caller: { pubkey: string; isAdmin: boolean }): Promise<{ invoice: Stripe.Invoice; tenant: TenantRow }> {
    const invoice = /^in_[A-Za-z0-9_]+$/.test(invoiceId) ? await this.gateway.getInvoice(invoiceId) : null
    const customer = typeof invoice?.customer === 'string' ? invoice.customer : invoice?.customer?.id
    const tenant = customer ? await this.platform.queries.getTenantByStripeCustomerId(customer) : undefined
    if (!invoice || !tenant || (!caller.isAdmin && tenant.pubkey !== caller.pubkey)) throw new DomainError(404, 'invoice-not-found', 'invoice not found')
    return { invoice, tenant }
  }

  private view(invoiceId: string, row: InvoicePaymentRow | undefined, status: LightningPayment['status']): LightningPayment {
    const showable = status === 'pending' && row?.pay_attempt === 'none'
    return {
      invoice_id: invoiceId,
      status,
      bolt11: showable ? (row?.bolt11 ?? null) : null,
      amount_sats: row?.amount_msats ? Math.ceil(row.amount_msats / 1000) : null,
      amount_cents: row?.amount_cents ?? null,
      expires_at: showable ? (row?.bolt11_expires_at ?? null) : null,
    }
  }

  private locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve()
    const next = previous.then(fn, fn)
    const settled = next.catch(() => undefined)
    this.locks.set(key, settled)
    void settled.then(() => {
      if (this.locks.get(key) === settled) this.locks.delete(key)
    })
    return next
  }
}
