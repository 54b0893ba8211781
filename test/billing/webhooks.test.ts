// Webhook hardening: only correctly signed, fresh, untampered bodies are accepted; each event takes effect
// once however often and in whatever order it arrives; a crash between receipt and effect is finished later.
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Billing } from '../../src/billing/billing.js'
import { loadConfig } from '../../src/config.js'
import { openPlatform } from '../../src/platform/platform.js'
import { billingWorld, type BillingWorld } from './harness.js'

let w: BillingWorld
beforeAll(async () => {
  w = await billingWorld({ STRIPE_WEBHOOK_SECRET: 'whsec_double_secret,whsec_rotated_new' })
})
afterAll(() => w.close())

const storedEvents = async () => (await w.server.platform.db.raw<{ n: number }>('SELECT COUNT(*) AS n FROM stripe_event'))[0]

/** A tenant whose subscription's first invoice failed, with the events not delivered yet. */
async function failedTenant(subdomain: string) {
  w.stripe.autoDeliver = false
  const t = w.tenant()
  await w.api(t, 'POST', '/api/relays', { subdomain, plan: 'basic' })
  await w.server.billing!.idle()
  const events = w.stripe.takeEvents()
  w.stripe.autoDeliver = true
  const tenant = (await w.api(t, 'GET', `/api/tenants/${t.pk}`)).data
  return { t, tenant, events }
}

describe('Stripe webhook hardening', () => {
  it('refuses bad, stale, tampered or missing signatures with 400 and no effect', async () => {
    const { events } = await failedTenant('hook-bad')
    const failed = events.find((e) => e.type === 'invoice.payment_failed')!
    const before = await storedEvents()
    expect(await w.stripe.deliver(failed, { secret: 'whsec_wrong' })).toEqual([400])
    expect(await w.stripe.deliver(failed, { timestamp: Math.floor(Date.now() / 1000) - 301 })).toEqual([400])
    expect(await w.stripe.deliver(failed, { tamper: (p) => p.replace('"open"', '"paid"') })).toEqual([400])
    expect(await w.stripe.deliver(failed, { signature: null })).toEqual([400])
    expect(await w.stripe.deliver(failed, { signature: 't=1,v1=deadbeef' })).toEqual([400])
    expect(await storedEvents()).toEqual(before)
    const res = await fetch(`${w.base}/api/stripe/webhook`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { code: string }).code).toBe('signature-missing')
  })

  it('accepts a rotated secret and several v1 signatures', async () => {
    const { t, events } = await failedTenant('hook-rotate')
    const failed = events.find((e) => e.type === 'invoice.payment_failed')!
    expect(await w.stripe.deliver(failed, { secret: 'whsec_rotated_new' })).toEqual([200])
    expect(await w.stripe.deliver(failed, { secret: ['whsec_old_gone', 'whsec_double_secret'] })).toEqual([200])
    await w.settle()
    expect((await w.api(t, 'GET', `/api/tenants/${t.pk}`)).data.past_due_at).toEqual(expect.any(Number))
  })

  it('applies an event delivered five times at once exactly once', async () => {
    const { t, events } = await failedTenant('hook-dupes')
    const failed = events.find((e) => e.type === 'invoice.payment_failed')!
    const statuses = await w.stripe.deliver(failed, { times: 5, concurrent: true })
    expect(statuses).toEqual([200, 200, 200, 200, 200])
    await w.settle()
    const rows = await w.server.platform.db.raw("SELECT COUNT(*) AS n FROM activity WHERE tenant = ? AND detail = 'payment failed: past due'", [t.pk])
    expect(rows).toEqual([{ n: 1 }])
    expect(await w.server.platform.db.raw('SELECT COUNT(*) AS n FROM stripe_event WHERE id = ?', [failed.id])).toEqual([{ n: 1 }])
  })

  it('ends in the same state whatever the delivery order', async () => {
    const ordered = await failedTenant('hook-ordered')
    const shuffled = await failedTenant('hook-shuffled')
    for (const world of [ordered, shuffled]) {
      const invoice = [...w.stripe.invoices.values()].find((i) => i.customer === world.tenant.stripe_customer_id)!
      w.stripe.autoDeliver = false
      await w.stripe.payInvoice(invoice.id)
      world.events.push(...w.stripe.takeEvents())
      w.stripe.autoDeliver = true
    }
    for (const e of ordered.events) await w.stripe.deliver(e)
    for (const e of [...shuffled.events].reverse()) await w.stripe.deliver(e)
    await w.settle()
    const state = async (who: typeof ordered) => {
      const tenant = (await w.api(who.t, 'GET', `/api/tenants/${who.t.pk}`)).data
      const relays = (await w.api(who.t, 'GET', '/api/relays')).data.items.map((r: { status: string }) => r.status)
      return { pastDue: tenant.past_due_at, subscribed: tenant.stripe_subscription_id !== null, relays }
    }
    expect(await state(ordered)).toEqual({ pastDue: null, subscribed: true, relays: ['active'] })
    expect(await state(shuffled)).toEqual(await state(ordered))
  })

  it('acknowledges unknown customers and unhandled types without effect', async () => {
    const { events } = await failedTenant('hook-unknown')
    const foreign = { ...events[0]!, id: 'evt_foreign', type: 'invoice.paid', data: { object: { id: 'in_x', object: 'invoice', customer: 'cus_nobody' } } }
    expect(await w.stripe.deliver(foreign)).toEqual([200])
    const odd = { ...events[0]!, id: 'evt_odd', type: 'charge.refunded', data: { object: { id: 'ch_1', object: 'charge' } } }
    expect(await w.stripe.deliver(odd)).toEqual([200])
    await w.settle()
    const processed = await w.server.platform.db.raw("SELECT processed_at FROM stripe_event WHERE id IN ('evt_foreign', 'evt_odd')")
    expect(processed).toEqual([{ processed_at: expect.any(Number) }, { processed_at: expect.any(Number) }])
  })

  it('finishes after a crash between receipt and effect', async () => {
    const { t, events } = await failedTenant('hook-crash')
    const failed = events.find((e) => e.type === 'invoice.payment_failed')!
    // The process that received it dies before applying it: its worker never runs.
    w.server.billing!.webhooks.stop()
    expect(await w.stripe.deliver(failed)).toEqual([200])
    expect((await w.api(t, 'GET', `/api/tenants/${t.pk}`)).data.past_due_at).toBeNull()
    // Next start-up (a fresh Billing on the same database) applies what was stored; Stripe's retry is a duplicate.
    const config = loadConfig({
      DATA_DIR: w.dataDir,
      STRIPE_SECRET_KEY: 'sk_test_double',
      STRIPE_WEBHOOK_SECRET: w.stripe.webhookSecret,
      STRIPE_PRICE_BASIC: 'price_basic',
      STRIPE_PRICE_GROWTH: 'price_growth',
      STRIPE_API_BASE: w.stripe.url,
      ...(w.server.platform.config.database.kind === 'postgres' ? { DATABASE_URL: w.server.platform.config.database.url } : {}),
    })
    const restarted = await openPlatform(config, pino({ level: 'silent' }))
    const billing = new Billing(restarted)
    try {
      billing.webhooks.kick()
      await billing.webhooks.idle()
      expect((await restarted.queries.getTenant(t.pk))!.past_due_at).toEqual(expect.any(Number))
      const retry = await billing.webhooks.receive(JSON.stringify(failed), w.stripe.signatureHeader(JSON.stringify(failed)))
      expect(retry).toEqual({ status: 200, duplicate: true })
      await billing.webhooks.idle()
      const count = await restarted.db.raw("SELECT COUNT(*) AS n FROM activity WHERE tenant = ? AND detail = 'payment failed: past due'", [t.pk])
      expect(count).toEqual([{ n: 1 }])
    } finally {
      billing.stop()
      await restarted.close()
    }
  })
})
