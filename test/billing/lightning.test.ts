// Lightning over NWC against a fake wallet service on a local relay: auto-pay, exactly-once under duplicate
// webhooks and wallet timeouts, refusals with manual payment instead, wallets saved later, no secret in logs.
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Billing } from '../../src/billing/billing.js'
import { BtcPriceSource } from '../../src/billing/btc-price.js'
import { Lightning, type AutopayFailure } from '../../src/billing/lightning.js'
import { NwcError } from '../../src/billing/nwc.js'
import { loadConfig } from '../../src/config.js'
import { openPlatform } from '../../src/platform/platform.js'
import type { Keys } from '../engine/helpers.js'
import { FakeWallet, type PayBehaviour } from '../helpers/fake-wallet.js'
import { billingWorld, type BillingWorld } from './harness.js'

let w: BillingWorld
let wallet: FakeWallet
let operatorUri: string
const notices: AutopayFailure[] = []
const logLines: string[] = []
const wallets: string[] = []

beforeAll(async () => {
  wallet = new FakeWallet()
  await wallet.start()
  operatorUri = await wallet.connect('operator')
  const log = pino(
    { level: 'debug' },
    new Writable({
      write(chunk, _enc, cb) {
        logLines.push(String(chunk))
        cb()
      },
    }),
  )
  w = await billingWorld(
    { ROBOT_WALLET: operatorUri, BTC_PRICE_USD_OVERRIDE: '50000' },
    { log, billing: { lightning: { payTimeoutMs: 1500, lookupTimeoutMs: 3000, checkEveryMs: 3_600_000, autopayFailed: (n) => notices.push(n) } } },
  )
}, 60_000)
afterAll(async () => {
  await w.close()
  await wallet.close()
})

const lightning = () => w.server.billing!.lightning!

async function tenantWithWallet(name: string, behaviour: PayBehaviour, balanceMsats?: number): Promise<{ t: Keys; uri: string }> {
  const t = w.tenant()
  await w.api(t, 'POST', '/api/tenants')
  const uri = await wallet.connect(name, { behaviour, balanceMsats })
  wallets.push(uri)
  expect((await w.api(t, 'PUT', `/api/tenants/${t.pk}`, { nwc_url: uri })).data.nwc_is_set).toBe(true)
  return { t, uri }
}

async function openInvoiceOf(t: Keys) {
  const tenant = (await w.api(t, 'GET', `/api/tenants/${t.pk}`)).data
  const invoices = [...w.stripe.invoices.values()].filter((i) => i.customer === tenant.stripe_customer_id)
  expect(invoices).toHaveLength(1)
  return invoices[0]!
}

const oobPays = (invoiceId: string) =>
  w.stripe.requests.filter((r) => r.endpoint === 'POST /v1/invoices/:id/pay' && r.path.includes(invoiceId) && !r.replayed).length

describe('Lightning auto-pay', () => {
  it('pays an opened invoice from the tenant wallet, confirms it, and marks it paid out of band once', async () => {
    const { t } = await tenantWithWallet('happy', { kind: 'pay' })
    await w.api(t, 'POST', '/api/relays', { subdomain: 'ln-happy', plan: 'basic' })
    await w.settle()
    await w.settle()
    const invoice = await openInvoiceOf(t)
    expect(w.stripe.invoices.get(invoice.id)!.status).toBe('paid')
    expect(w.stripe.invoices.get(invoice.id)!.amount_paid_off_stripe).toBe(500)
    expect(oobPays(invoice.id)).toBe(1)
    const bolt11s = wallet.invoicesFor(invoice.number ?? invoice.id)
    expect(bolt11s).toHaveLength(1)
    expect(bolt11s[0]).toMatchObject({ amountMsats: 10_000_000, payments: 1 })
    const tenant = (await w.api(t, 'GET', `/api/tenants/${t.pk}`)).data
    expect(tenant).toMatchObject({ nwc_error: null, past_due_at: null })
    const status = await w.api(t, 'GET', `/api/invoices/${invoice.id}/lightning`)
    expect(status.data).toMatchObject({ status: 'paid', amount_sats: 10_000, amount_cents: 500, bolt11: null })
  })

  it('pays once when the same invoice event arrives five times at once', async () => {
    const { t } = await tenantWithWallet('dupes', { kind: 'pay' })
    w.stripe.autoDeliver = false
    await w.api(t, 'POST', '/api/relays', { subdomain: 'ln-dupes', plan: 'growth' })
    await w.server.billing!.idle()
    const events = w.stripe.takeEvents()
    w.stripe.autoDeliver = true
    const created = events.find((e) => e.type === 'invoice.created')!
    const finalized = events.find((e) => e.type === 'invoice.finalized')!
    expect(await w.stripe.deliver(created, { times: 5, concurrent: true })).toEqual([200, 200, 200, 200, 200])
    expect(await w.stripe.deliver(finalized, { times: 3, concurrent: true })).toEqual([200, 200, 200])
    await w.settle()
    await w.settle()
    const invoice = await openInvoiceOf(t)
    expect(w.stripe.invoices.get(invoice.id)!.status).toBe('paid')
    expect(wallet.invoicesFor(invoice.number ?? invoice.id).reduce((n, i) => n + i.payments, 0)).toBe(1)
    expect(oobPays(invoice.id)).toBe(1)
  })

  it('treats a wallet timeout as unknown: no second bolt11, and the late payment settles the invoice once', async () => {
    const { t } = await tenantWithWallet('slow', { kind: 'silent', pays: true })
    await w.api(t, 'POST', '/api/relays', { subdomain: 'ln-slow', plan: 'basic' })
    await w.settle()
    const invoice = await openInvoiceOf(t)
    // The wallet paid but never answered; the collection recorded the outcome as unknown.
    const manual = await w.api(t, 'POST', `/api/invoices/${invoice.id}/lightning`)
    // The payment already settled, so asking to pay by hand finds it paid (and never offers a new bolt11).
    expect(manual.data.status).toBe('paid')
    await w.settle()
    expect(w.stripe.invoices.get(invoice.id)!.status).toBe('paid')
    expect(wallet.invoicesFor(invoice.number ?? invoice.id)).toHaveLength(1)
    expect(oobPays(invoice.id)).toBe(1)
  })

  it('never shows for manual payment a bolt11 that a timed-out payment may still settle', async () => {
    const { t } = await tenantWithWallet('stuck', { kind: 'silent', pays: false })
    await w.api(t, 'POST', '/api/relays', { subdomain: 'ln-stuck', plan: 'basic' })
    await w.settle()
    const invoice = await openInvoiceOf(t)
    const tried = wallet.invoicesFor(invoice.number ?? invoice.id)
    expect(tried).toHaveLength(1)
    const inProgress = await w.api(t, 'POST', `/api/invoices/${invoice.id}/lightning`)
    expect(inProgress.status).toBe(409)
    expect(inProgress.code).toBe('payment-in-progress')
    expect(JSON.stringify(inProgress)).not.toContain(tried[0]!.invoice)
    expect((await w.api(t, 'GET', `/api/invoices/${invoice.id}/lightning`)).data).toMatchObject({ status: 'in-progress', bolt11: null })
    // Once the operator's wallet says it expired, a fresh bolt11 is offered.
    wallet.expire(tried[0]!.paymentHash)
    wallet.setBehaviour('stuck', { kind: 'error', code: 'INSUFFICIENT_BALANCE' })
    const fresh = await w.api(t, 'POST', `/api/invoices/${invoice.id}/lightning`)
    expect(fresh.data.status).toBe('pending')
    expect(fresh.data.bolt11).not.toBe(tried[0]!.invoice)
    expect(fresh.data.bolt11).toMatch(/^lnbcrt/)
  })

  it('records a refusal, tells the tenant, and offers a fresh bolt11 to pay by hand', async () => {
    const { t } = await tenantWithWallet('broke', { kind: 'pay' }, 0)
    await w.api(t, 'POST', '/api/relays', { subdomain: 'ln-broke', plan: 'basic' })
    await w.settle()
    const invoice = await openInvoiceOf(t)
    const tenant = (await w.api(t, 'GET', `/api/tenants/${t.pk}`)).data
    expect(tenant.nwc_error).toBe('INSUFFICIENT_BALANCE: not enough sats')
    expect(notices).toContainEqual(
      expect.objectContaining({ tenant: t.pk, invoiceId: invoice.id, reason: 'INSUFFICIENT_BALANCE: not enough sats' }),
    )
    const tried = wallet.invoicesFor(invoice.number ?? invoice.id)
    expect(tried).toHaveLength(1)
    const manual = await w.api(t, 'POST', `/api/invoices/${invoice.id}/lightning`)
    expect(manual.data).toMatchObject({ status: 'pending', amount_sats: 10_000, amount_cents: 500 })
    expect(manual.data.bolt11).not.toBe(tried[0]!.invoice)
    // The same request again shows the same bolt11 (one outstanding per invoice).
    expect((await w.api(t, 'POST', `/api/invoices/${invoice.id}/lightning`)).data.bolt11).toBe(manual.data.bolt11)
    wallet.payExternally(manual.data.bolt11)
    expect((await w.api(t, 'GET', `/api/invoices/${invoice.id}/lightning`)).data.status).toBe('paid')
    await w.settle()
    expect(w.stripe.invoices.get(invoice.id)!.status).toBe('paid')
    expect((await w.api(t, 'GET', `/api/tenants/${t.pk}`)).data.past_due_at).toBeNull()
    // Another tenant cannot see it.
    const stranger = await w.api(w.tenant(), 'GET', `/api/invoices/${invoice.id}/lightning`)
    expect(stranger.status).toBe(404)
  })

  it('finishes, after a restart, a payment whose answer never came', async () => {
    const { t } = await tenantWithWallet('crash', { kind: 'silent', pays: true })
    // No webhooks this time: one collection attempt, made by hand, and the process "dies" after it.
    w.stripe.autoDeliver = false
    await w.api(t, 'POST', '/api/relays', { subdomain: 'ln-crash', plan: 'basic' })
    await w.server.billing!.idle()
    w.stripe.takeEvents()
    w.stripe.autoDeliver = true
    const invoice = await openInvoiceOf(t)
    await lightning().collect(invoice.id)
    // The pay request went out and no answer came: recorded as possibly in flight, the Stripe invoice still open.
    expect(await w.server.platform.queries.getInvoicePayment(invoice.id)).toMatchObject({ state: 'pending', pay_attempt: 'unknown' })
    expect(w.stripe.invoices.get(invoice.id)!.status).toBe('open')
    // The process dies; the next one's Lightning worker, on the same database, settles it from the operator
    // wallet's own record — one payment, one out-of-band mark.
    lightning().stop()
    const config = loadConfig({
      DATA_DIR: w.dataDir,
      STRIPE_SECRET_KEY: 'sk_test_double',
      STRIPE_WEBHOOK_SECRET: w.stripe.webhookSecret,
      STRIPE_PRICE_BASIC: 'price_basic',
      STRIPE_PRICE_GROWTH: 'price_growth',
      STRIPE_API_BASE: w.stripe.url,
      ROBOT_WALLET: operatorUri,
      BTC_PRICE_USD_OVERRIDE: '50000',
      ...(w.server.platform.config.database.kind === 'postgres' ? { DATABASE_URL: w.server.platform.config.database.url } : {}),
    })
    const restarted = await openPlatform(config, pino({ level: 'silent' }))
    const billing = new Billing(restarted, undefined, { lightning: { checkEveryMs: 3_600_000 } })
    try {
      await billing.start()
      await billing.lightning!.checkPending()
      await billing.idle()
      expect(await restarted.queries.getInvoicePayment(invoice.id)).toMatchObject({ state: 'paid' })
      expect(w.stripe.invoices.get(invoice.id)!.status).toBe('paid')
      expect(wallet.invoicesFor(invoice.number ?? invoice.id).reduce((n, i) => n + i.payments, 0)).toBe(1)
      expect(oobPays(invoice.id)).toBe(1)
    } finally {
      billing.stop()
      await restarted.close()
      lightning().start()
    }
  })

  it('pays open invoices when a wallet is saved later', async () => {
    const t = w.tenant()
    await w.api(t, 'POST', '/api/relays', { subdomain: 'ln-later', plan: 'basic' })
    await w.settle()
    const invoice = await openInvoiceOf(t)
    expect(w.stripe.invoices.get(invoice.id)!.status).toBe('open')
    expect(wallet.invoicesFor(invoice.number ?? invoice.id)).toHaveLength(0)
    const uri = await wallet.connect('later', { behaviour: { kind: 'pay' } })
    wallets.push(uri)
    await w.api(t, 'PUT', `/api/tenants/${t.pk}`, { nwc_url: uri })
    await w.settle()
    await lightning().idle()
    await w.settle()
    expect(w.stripe.invoices.get(invoice.id)!.status).toBe('paid')
    expect((await w.api(t, 'GET', `/api/relays`)).data.items[0].status).toBe('active')
  })

  it("answers 503 lightning-unavailable, not 500, when the operator's wallet cannot issue an invoice", async () => {
    const t = w.tenant()
    await w.api(t, 'POST', '/api/relays', { subdomain: 'ln-no-wallet', plan: 'basic' })
    await w.settle()
    const invoice = await openInvoiceOf(t)
    // A wallet that refuses every request (a test double of the LightningWallet interface).
    const refusing = {
      makeInvoice: async () => {
        throw new NwcError('INTERNAL', 'wallet offline')
      },
      payInvoice: async () => {
        throw new NwcError('INTERNAL', 'wallet offline')
      },
      lookupInvoice: async () => {
        throw new NwcError('INTERNAL', 'wallet offline')
      },
      close: () => {},
    }
    const broken = new Lightning(w.server.platform, w.server.billing!.gateway, { robotWallet: refusing, prices: new BtcPriceSource({ overrideUsd: 50_000, url: 'http://127.0.0.1:9/' }) })
    await expect(broken.pay(invoice.id, { pubkey: t.pk, isAdmin: false })).rejects.toMatchObject({ status: 503, code: 'lightning-unavailable' })
  })

  it('refuses bad invoice ids and keeps wallet URIs out of every response and log line', async () => {
    const t = w.tenant()
    expect((await w.api(t, 'POST', '/api/invoices/not-an-invoice/lightning')).code).toBe('invoice-not-found')
    expect((await w.api(t, 'GET', '/api/invoices/in_nope/lightning')).code).toBe('invoice-not-found')
    const secrets = [operatorUri, ...wallets].map((uri) => new URL(uri.replace('nostr+walletconnect://', 'http://x/')).searchParams.get('secret')!)
    const logs = logLines.join('')
    expect(logs.length).toBeGreaterThan(0)
    for (const secret of secrets) expect(logs).not.toContain(secret)
    expect(logs).not.toContain('nostr+walletconnect')
  })
})
