// Drives the Stripe double with the real `stripe` client, so what passes here is what the billing code will see.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import Stripe from 'stripe'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseStripeParams, StripeDouble, type StripeEventObject } from './stripe-double.js'

let double: StripeDouble
let stripe: Stripe

beforeEach(async () => {
  double = new StripeDouble({ prices: { price_basic: 500, price_growth: 2500 } })
  await double.start()
  stripe = new Stripe(double.apiKey, {
    host: '127.0.0.1',
    port: double.port,
    protocol: 'http',
    apiVersion: '2026-10-28.endive',
    maxNetworkRetries: 0,
    telemetry: false,
  })
})

afterEach(async () => {
  await double.close()
})

async function rejection(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await promise
  } catch (err) {
    return err as Stripe.errors.StripeError
  }
  throw new Error('expected the call to fail')
}

async function customer(withCard: boolean, name = 'Relay Club'): Promise<Stripe.Customer> {
  const c = await stripe.customers.create({ name, metadata: { tenant_pubkey: 'ab'.repeat(32) } })
  if (withCard) double.attachCard(c.id)
  return c
}

async function subscribe(customerId: string, items: { price: string; quantity: number }[]): Promise<Stripe.Subscription> {
  return stripe.subscriptions.create({
    customer: customerId,
    items,
    metadata: { tenant_pubkey: 'ab'.repeat(32) },
    proration_behavior: 'create_prorations',
    payment_behavior: 'allow_incomplete',
    collection_method: 'charge_automatically',
  })
}

describe('bracket-notation parameters', () => {
  it('parses nested objects, indexed arrays, pushed arrays and keeps metadata keys as keys', () => {
    const params = parseStripeParams(
      'customer=cus_1&items[0][price]=price_basic&items[0][quantity]=2&items[1][price]=price_growth' +
        '&metadata[tenant_pubkey]=abc&metadata[0]=zero&expand[]=latest_invoice&expand[]=customer&name=Caf%C3%A9+Nostr&empty=',
    )
    expect(params).toEqual({
      customer: 'cus_1',
      items: [{ price: 'price_basic', quantity: '2' }, { price: 'price_growth' }],
      metadata: { tenant_pubkey: 'abc', 0: 'zero' },
      expand: ['latest_invoice', 'customer'],
      name: 'Café Nostr',
      empty: '',
    })
  })

  it('refuses a key used both as a value and as an object', () => {
    expect(() => parseStripeParams('a=1&a[b]=2')).toThrow(/Invalid parameter/)
  })
})

describe('auth and errors', () => {
  it('answers 401 in Stripe shape without or with a wrong key', async () => {
    const res = await fetch(`${double.url}/v1/customers/cus_x`)
    expect(res.status).toBe(401)
    const body = (await res.json()) as { error: { type: string; message: string } }
    expect(body.error.type).toBe('invalid_request_error')
    expect(body.error.message).toMatch(/did not provide an API key/)

    const wrong = new Stripe('sk_test_wrong', double.clientOptions())
    const err = await rejection(wrong.customers.retrieve('cus_x'))
    expect(err).toBeInstanceOf(Stripe.errors.StripeAuthenticationError)
    expect(err.statusCode).toBe(401)
  })

  it('raises StripeInvalidRequestError with code resource_missing for unknown objects', async () => {
    for (const call of [
      stripe.customers.retrieve('cus_nope'),
      stripe.subscriptions.retrieve('sub_nope'),
      stripe.invoices.retrieve('in_nope'),
      stripe.subscriptions.update('sub_nope', { metadata: { a: 'b' } }),
      stripe.invoices.pay('in_nope', { paid_out_of_band: true }),
    ]) {
      const err = await rejection(call)
      expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError)
      expect(err.code).toBe('resource_missing')
      expect(err.statusCode).toBe(404)
      expect(err.param).toBe('id')
    }
    const err = await rejection(stripe.subscriptions.retrieve('sub_x'))
    expect(err.message).toBe("No such subscription: 'sub_x'")
    expect(err.raw).toMatchObject({ type: 'invalid_request_error', code: 'resource_missing', param: 'id' })
  })

  it('refuses unknown parameters and unknown routes like Stripe', async () => {
    const err = await rejection(stripe.customers.create({ nickname: 'x' } as Stripe.CustomerCreateParams))
    expect(err.code).toBe('parameter_unknown')
    expect(err.param).toBe('nickname')
    const res = await fetch(`${double.url}/v1/charges`, { headers: { authorization: `Bearer ${double.apiKey}` } })
    expect(res.status).toBe(404)
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/Unrecognized request URL/)
  })
})

describe('customers', () => {
  it('creates and retrieves a customer with metadata', async () => {
    const c = await stripe.customers.create({ name: 'Relay Club', email: 'a@b.c', metadata: { tenant_pubkey: 'pk1' } })
    expect(c).toMatchObject({
      object: 'customer',
      name: 'Relay Club',
      email: 'a@b.c',
      metadata: { tenant_pubkey: 'pk1' },
      invoice_settings: { default_payment_method: null },
    })
    expect(c.id).toMatch(/^cus_/)
    expect(typeof c.created).toBe('number')
    const again = await stripe.customers.retrieve(c.id)
    expect(again).toMatchObject({ id: c.id, name: 'Relay Club' })
    expect(double.eventsOfType('customer.created').map((e) => e.data.object.id)).toEqual([c.id])
  })

  it('replays the same idempotency key with the same params and refuses it with different params', async () => {
    const params = { name: 'Relay Club', metadata: { tenant_pubkey: 'pk1' } }
    const first = await stripe.customers.create(params, { idempotencyKey: 'tenant:1:customer' })
    const second = await stripe.customers.create(params, { idempotencyKey: 'tenant:1:customer' })
    expect(second.id).toBe(first.id)
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true')
    expect(double.customers.size).toBe(1)
    expect(double.requestCount('POST /v1/customers')).toBe(2)
    expect(double.requestCount('POST /v1/customers', { replays: false })).toBe(1)
    expect(double.eventsOfType('customer.created')).toHaveLength(1)

    const err = await rejection(stripe.customers.create({ ...params, name: 'Other' }, { idempotencyKey: 'tenant:1:customer' }))
    expect(err).toBeInstanceOf(Stripe.errors.StripeIdempotencyError)
    expect(err.type).toBe('StripeIdempotencyError')
    expect(err.rawType).toBe('idempotency_error')
    expect(err.statusCode).toBe(400)
    expect(double.customers.size).toBe(1)
  })

  it('sends the pinned Stripe-Version and records it', async () => {
    await stripe.customers.create({ name: 'x' })
    expect(double.requests.at(-1)?.stripeVersion).toBe('2026-10-28.endive')
    expect(double.requests.at(-1)?.idempotencyKey).toMatch(/^stripe-node-retry-/)
  })
})

describe('subscriptions', () => {
  it('creates a subscription with items and quantities, paid at once for a customer with a card', async () => {
    const c = await customer(true)
    double.takeEvents()
    const sub = await subscribe(c.id, [
      { price: 'price_basic', quantity: 2 },
      { price: 'price_growth', quantity: 1 },
    ])
    expect(sub).toMatchObject({ object: 'subscription', customer: c.id, status: 'active', cancel_at_period_end: false })
    expect(sub.metadata).toEqual({ tenant_pubkey: 'ab'.repeat(32) })
    expect(sub.items.has_more).toBe(false)
    expect(sub.items.data.map((i) => [i.price.id, i.price.unit_amount, i.quantity])).toEqual([
      ['price_basic', 500, 2],
      ['price_growth', 2500, 1],
    ])
    const item = sub.items.data[0]!
    expect(item.id).toMatch(/^si_/)
    expect(item.price).toMatchObject({ object: 'price', currency: 'usd', recurring: { interval: 'month' } })
    expect(item.current_period_end).toBeGreaterThan(item.current_period_start)

    const invoice = await stripe.invoices.retrieve(sub.latest_invoice as string)
    expect(invoice).toMatchObject({ status: 'paid', amount_due: 3500, amount_paid: 3500, amount_remaining: 0, customer: c.id })
    expect(invoice.parent?.subscription_details?.subscription).toBe(sub.id)
    expect((invoice as unknown as { subscription: string }).subscription).toBe(sub.id)
    expect(invoice.lines.data.map((l) => l.amount)).toEqual([1000, 2500])

    expect(double.takeEvents().map((e) => e.type)).toEqual([
      'customer.subscription.created',
      'invoice.created',
      'invoice.finalized',
      'invoice.paid',
    ])
    expect(double.takeEvents()).toEqual([])
  })

  it('refuses two items with the same price and unknown prices', async () => {
    const c = await customer(true)
    const dup = await rejection(
      subscribe(c.id, [
        { price: 'price_basic', quantity: 1 },
        { price: 'price_basic', quantity: 1 },
      ]),
    )
    expect(dup).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError)
    expect(dup.statusCode).toBe(400)
    const unknown = await rejection(subscribe(c.id, [{ price: 'price_gold', quantity: 1 }]))
    expect(unknown.code).toBe('resource_missing')
    expect(unknown.param).toBe('items[0][price]')
    const noCustomer = await rejection(subscribe('cus_missing', [{ price: 'price_basic', quantity: 1 }]))
    expect(noCustomer.code).toBe('resource_missing')
    expect(noCustomer.param).toBe('customer')
    expect(double.subscriptions.size).toBe(0)
    expect(double.invoices.size).toBe(0)
  })

  it('updates quantities, adds and deletes items, and emits customer.subscription.updated', async () => {
    const c = await customer(true)
    const sub = await subscribe(c.id, [{ price: 'price_basic', quantity: 1 }])
    const basic = sub.items.data[0]!
    double.takeEvents()

    const two = await stripe.subscriptions.update(sub.id, {
      items: [{ id: basic.id, quantity: 2 }],
      proration_behavior: 'none',
    })
    expect(two.items.data.map((i) => [i.id, i.quantity])).toEqual([[basic.id, 2]])

    const moved = await stripe.subscriptions.update(sub.id, {
      items: [
        { id: basic.id, deleted: true },
        { price: 'price_growth', quantity: 1 },
      ],
      proration_behavior: 'create_prorations',
      metadata: { plan: 'growth' },
    })
    expect(moved.items.data.map((i) => [i.price.id, i.quantity])).toEqual([['price_growth', 1]])
    expect(moved.metadata).toEqual({ tenant_pubkey: 'ab'.repeat(32), plan: 'growth' })
    expect(double.requests.at(-1)?.params.proration_behavior).toBe('create_prorations')
    // Stripe's metadata update: keys merge and an empty value unsets one.
    const unset = await stripe.subscriptions.update(sub.id, { metadata: { tenant_pubkey: '' } })
    expect(unset.metadata).toEqual({ plan: 'growth' })

    const dup = await rejection(stripe.subscriptions.update(sub.id, { items: [{ price: 'price_growth', quantity: 1 }] }))
    expect(dup.statusCode).toBe(400)
    const badItem = await rejection(stripe.subscriptions.update(sub.id, { items: [{ id: 'si_nope', quantity: 1 }] }))
    expect(badItem.code).toBe('resource_missing')
    expect(badItem.param).toBe('items[0][id]')

    const events = double.takeEvents()
    expect(events.map((e) => e.type)).toEqual(['customer.subscription.updated', 'customer.subscription.updated', 'customer.subscription.updated'])
    expect(Object.keys(events[0]!.data.previous_attributes ?? {})).toEqual(['items'])
    expect((await stripe.subscriptions.retrieve(sub.id)).items.data).toHaveLength(1)
  })

  it('cancels: status canceled, still retrievable, a second cancel or an item update is refused', async () => {
    const c = await customer(true)
    const sub = await subscribe(c.id, [{ price: 'price_basic', quantity: 1 }])
    const canceled = await stripe.subscriptions.cancel(sub.id)
    expect(canceled.status).toBe('canceled')
    expect(canceled.canceled_at).toEqual(expect.any(Number))
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe('canceled')
    expect(double.eventsOfType('customer.subscription.deleted')).toHaveLength(1)

    const again = await rejection(stripe.subscriptions.cancel(sub.id))
    expect(again.code).toBe('resource_missing')
    const update = await rejection(stripe.subscriptions.update(sub.id, { items: [{ price: 'price_growth', quantity: 1 }] }))
    expect(update.message).toMatch(/canceled subscription can only update/)
    expect((await stripe.subscriptions.update(sub.id, { metadata: { note: 'x' } })).metadata.note).toBe('x')
  })

  it('lists a customer\'s subscriptions, canceled ones only on request', async () => {
    const c = await customer(true)
    const a = await subscribe(c.id, [{ price: 'price_basic', quantity: 1 }])
    await stripe.subscriptions.cancel(a.id)
    const b = await subscribe(c.id, [{ price: 'price_growth', quantity: 1 }])
    expect((await stripe.subscriptions.list({ customer: c.id })).data.map((s) => s.id)).toEqual([b.id])
    expect((await stripe.subscriptions.list({ customer: c.id, status: 'all' })).data.map((s) => s.id)).toEqual([b.id, a.id])
  })

  it('test controls: external cancel, status change, forget', async () => {
    const c = await customer(true)
    const sub = await subscribe(c.id, [{ price: 'price_basic', quantity: 1 }])
    await double.setSubscriptionStatus(sub.id, 'unpaid')
    const updated = double.eventsOfType('customer.subscription.updated').at(-1)!
    expect(updated.data.object.status).toBe('unpaid')
    expect(updated.data.previous_attributes).toEqual({ status: 'active' })
    await double.cancelExternally(sub.id)
    expect(double.eventsOfType('customer.subscription.deleted')[0]!.data.object.status).toBe('canceled')
    double.forgetSubscription(sub.id)
    expect((await rejection(stripe.subscriptions.retrieve(sub.id))).code).toBe('resource_missing')
  })

  it('expands latest_invoice and customer on request', async () => {
    const c = await customer(true)
    const sub = await stripe.subscriptions.create({
      customer: c.id,
      items: [{ price: 'price_basic', quantity: 3 }],
      expand: ['latest_invoice', 'customer'],
    })
    expect((sub.latest_invoice as Stripe.Invoice).amount_due).toBe(1500)
    expect((sub.customer as Stripe.Customer).name).toBe('Relay Club')
    expect(typeof double.subscriptions.get(sub.id)!.latest_invoice).toBe('string')
  })
})

describe('invoices', () => {
  it('a customer without a card: subscription incomplete, invoice open after a failed attempt, then paid out of band', async () => {
    const c = await customer(false)
    const sub = await subscribe(c.id, [{ price: 'price_growth', quantity: 2 }])
    expect(sub.status).toBe('incomplete')
    const open = await stripe.invoices.retrieve(sub.latest_invoice as string)
    expect(open).toMatchObject({ status: 'open', amount_due: 5000, amount_paid: 0, amount_remaining: 5000, attempt_count: 1 })
    expect(open.hosted_invoice_url).toMatch(new RegExp(`^${double.url}/invoice/in_`))
    expect(double.eventsOfType('invoice.payment_failed')).toHaveLength(1)

    const paid = await stripe.invoices.pay(open.id, { paid_out_of_band: true }, { idempotencyKey: `invoice:${open.id}:pay-oob` })
    expect(paid).toMatchObject({ status: 'paid', amount_paid_off_stripe: 5000, amount_remaining: 0 })
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe('active')
    const types = double.events.map((e) => e.type)
    expect(types.slice(-2)).toEqual(['invoice.paid', 'customer.subscription.updated'])

    // The same key replays; paying again with a new key is refused as Stripe does.
    const replay = await stripe.invoices.pay(open.id, { paid_out_of_band: true }, { idempotencyKey: `invoice:${open.id}:pay-oob` })
    expect(replay.status).toBe('paid')
    const err = await rejection(stripe.invoices.pay(open.id, { paid_out_of_band: true }))
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError)
    expect(err.message).toBe('Invoice is already paid')
    expect(double.eventsOfType('invoice.paid')).toHaveLength(1)
  })

  it('renewal: paid with a card, failed after failNextPayment (past_due), then payInvoice brings it back', async () => {
    const c = await customer(true)
    const sub = await subscribe(c.id, [{ price: 'price_basic', quantity: 1 }])
    const firstEnd = sub.items.data[0]!.current_period_end

    const renewal = await double.renew(sub.id)
    expect(renewal).toMatchObject({ status: 'paid', amount_due: 500, billing_reason: 'subscription_cycle', period_start: firstEnd })
    expect((await stripe.subscriptions.retrieve(sub.id)).items.data[0]!.current_period_start).toBe(firstEnd)

    double.failNextPayment(c.id)
    const failed = await double.renew(sub.id)
    expect(failed).toMatchObject({ status: 'open', attempt_count: 1, amount_remaining: 500 })
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe('past_due')
    expect(double.customers.get(c.id)!.delinquent).toBe(true)

    await double.payInvoice(failed.id)
    expect((await stripe.invoices.retrieve(failed.id)).status).toBe('paid')
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe('active')
    expect(double.customers.get(c.id)!.delinquent).toBe(false)
  })

  it('card charge through the API: declined after failNextPayment (402), then succeeds', async () => {
    const c = await customer(false)
    const sub = await subscribe(c.id, [{ price: 'price_basic', quantity: 1 }])
    const invoiceId = sub.latest_invoice as string
    const noCard = await rejection(stripe.invoices.pay(invoiceId))
    expect(noCard.statusCode).toBe(400)
    double.attachCard(c.id)
    double.failNextPayment(c.id)
    const declined = await rejection(stripe.invoices.pay(invoiceId))
    expect(declined).toBeInstanceOf(Stripe.errors.StripeCardError)
    expect(declined.code).toBe('card_declined')
    expect(double.invoices.get(invoiceId)!.attempt_count).toBe(2)
    const paid = await stripe.invoices.pay(invoiceId)
    expect(paid).toMatchObject({ status: 'paid', amount_paid: 500, amount_paid_off_stripe: 0 })
  })

  it('error_if_incomplete creates nothing when the first charge fails; requires_action is its own event', async () => {
    const c = await customer(true)
    double.failNextPayment(c.id)
    const create = () =>
      stripe.subscriptions.create({ customer: c.id, items: [{ price: 'price_basic', quantity: 1 }], payment_behavior: 'error_if_incomplete' })
    const declined = await rejection(create())
    expect(declined).toBeInstanceOf(Stripe.errors.StripeCardError)
    expect(double.subscriptions.size).toBe(0)
    const sub = await create()
    expect(sub.status).toBe('active')

    double.failNextPayment(c.id, 'requires_action')
    const invoice = await double.renew(sub.id)
    expect(invoice.status).toBe('open')
    expect(double.events.map((e) => e.type)).toContain('invoice.payment_action_required')
    expect(double.eventsOfType('invoice.payment_failed')).toHaveLength(0)
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe('past_due')
  })

  it('renew refuses a subscription set to cancel at period end', async () => {
    const c = await customer(true)
    const sub = await subscribe(c.id, [{ price: 'price_basic', quantity: 1 }])
    const updated = await stripe.subscriptions.update(sub.id, { cancel_at_period_end: true })
    expect(updated.cancel_at_period_end).toBe(true)
    expect(updated.cancel_at).toBe(sub.items.data[0]!.current_period_end)
    await expect(double.renew(sub.id)).rejects.toThrow(/cancel at period end/)
  })

  it('a held renewal stays draft until finalized; uncollectible is reported', async () => {
    const c = await customer(false)
    const sub = await subscribe(c.id, [{ price: 'price_basic', quantity: 1 }])
    double.takeEvents()
    const draft = await double.renew(sub.id, { holdDraft: true })
    expect(draft.status).toBe('draft')
    expect(draft.hosted_invoice_url).toBeNull()
    await double.finalizeInvoice(draft.id)
    await double.markUncollectible(draft.id)
    expect(double.takeEvents().map((e) => e.type)).toEqual([
      'customer.subscription.updated',
      'invoice.created',
      'invoice.finalized',
      'invoice.payment_failed',
      'invoice.marked_uncollectible',
    ])
  })

  it('lists invoices newest first with cursor pagination and a status filter', async () => {
    let t = Date.UTC(2030, 0, 15) // a controlled clock so invoices get distinct `created`
    await double.close()
    double = new StripeDouble({ now: () => t })
    await double.start()
    stripe = double.client()
    const c = await customer(true)
    const other = await customer(true, 'Other')
    const sub = await subscribe(c.id, [{ price: 'price_basic', quantity: 1 }])
    await subscribe(other.id, [{ price: 'price_growth', quantity: 1 }])
    const ids = [sub.latest_invoice as string]
    for (let i = 0; i < 4; i++) {
      t += 86_400_000
      if (i === 2) double.failNextPayment(c.id)
      ids.push((await double.renew(sub.id)).id)
    }
    const newestFirst = [...ids].reverse()

    const page1 = await stripe.invoices.list({ customer: c.id, limit: 2 })
    expect(page1.object).toBe('list')
    expect(page1.data.map((i) => i.id)).toEqual(newestFirst.slice(0, 2))
    expect(page1.has_more).toBe(true)
    const page2 = await stripe.invoices.list({ customer: c.id, limit: 2, starting_after: page1.data[1]!.id })
    expect(page2.data.map((i) => i.id)).toEqual(newestFirst.slice(2, 4))
    const page3 = await stripe.invoices.list({ customer: c.id, limit: 2, starting_after: page2.data[1]!.id })
    expect(page3.data.map((i) => i.id)).toEqual(newestFirst.slice(4))
    expect(page3.has_more).toBe(false)

    const all = await stripe.invoices.list({ customer: c.id, limit: 2 }).autoPagingToArray({ limit: 100 })
    expect(all.map((i) => i.id)).toEqual(newestFirst)
    const open = await stripe.invoices.list({ customer: c.id, status: 'open' })
    expect(open.data.map((i) => i.id)).toEqual([ids[3]])

    const badCursor = await rejection(stripe.invoices.list({ customer: c.id, starting_after: 'in_nope' }))
    expect(badCursor.code).toBe('resource_missing')
  })
})

describe('billing portal', () => {
  it('creates a session whose URL the double serves', async () => {
    const c = await customer(true)
    const session = await stripe.billingPortal.sessions.create({ customer: c.id, return_url: 'http://localhost/account' })
    expect(session).toMatchObject({ object: 'billing_portal.session', customer: c.id, return_url: 'http://localhost/account' })
    expect(session.id).toMatch(/^bps_/)
    expect(session.url).toBe(`http://127.0.0.1:${double.port}/portal/${session.id}`)
    const page = await fetch(session.url)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('http://localhost/account')
    const err = await rejection(stripe.billingPortal.sessions.create({ customer: 'cus_nope' }))
    expect(err.code).toBe('resource_missing')
  })
})

// A tiny webhook endpoint verifying the way conventions §5 prescribes (raw body, 300 s tolerance).
class Receiver {
  readonly received: Stripe.Event[] = []
  readonly rejected: string[] = []
  private server!: http.Server
  url = ''

  constructor(private readonly secret: string) {}

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const raw = Buffer.concat(chunks)
        try {
          const event = Stripe.webhooks.constructEvent(raw, req.headers['stripe-signature'] ?? '', this.secret, 300)
          this.received.push(event)
          res.writeHead(200).end('{}')
        } catch (err) {
          this.rejected.push((err as Error).message)
          res.writeHead(400).end()
        }
      })
    })
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/stripe/webhook`
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}

describe('webhooks', () => {
  let receiver: Receiver

  beforeEach(async () => {
    receiver = new Receiver('whsec_test_receiver')
    await receiver.start()
    double.webhookUrl = receiver.url
    double.webhookSecret = 'whsec_test_receiver'
  })

  afterEach(async () => {
    await receiver.close()
  })

  it('delivers signed events the real SDK verifies; bad signatures are refused', async () => {
    await customer(true)
    const event = double.events[0]!
    expect(event).toMatchObject({ object: 'event', type: 'customer.created', livemode: false, api_version: '2026-10-28.endive' })

    expect(await double.deliver(event)).toEqual([200])
    expect(double.takeEvents()).toEqual([]) // delivered, so no longer pending
    expect(receiver.received[0]).toMatchObject({ id: event.id, type: 'customer.created' })

    const stale = Math.floor(Date.now() / 1000) - 301
    expect(await double.deliver(event, { timestamp: stale })).toEqual([400])
    expect(await double.deliver(event, { tamper: (p) => p.replace('Relay Club', 'Relay Clab') })).toEqual([400])
    expect(await double.deliver(event, { signature: null })).toEqual([400])
    expect(await double.deliver(event, { secret: 'whsec_other' })).toEqual([400])
    expect(receiver.rejected).toHaveLength(4)

    // During rotation the header carries one v1 per secret; the receiver knows only one of them.
    expect(await double.deliver(event, { secret: ['whsec_old', 'whsec_test_receiver'] })).toEqual([200])
    expect(double.signatureHeader('{}', ['a', 'b'], 1_700_000_000)).toMatch(/^t=1700000000,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/)
  })

  it('signs with real time even when the double runs on a test clock', async () => {
    await double.close()
    double = new StripeDouble({ now: () => Date.UTC(2020, 5, 1), webhookUrl: receiver.url, webhookSecret: 'whsec_test_receiver' })
    await double.start()
    await double.client().customers.create({ name: 'Later' })
    const [event] = double.takeEvents() as [StripeEventObject]
    expect(event.created).toBe(Date.UTC(2020, 5, 1) / 1000)
    expect(await double.deliver(event)).toEqual([200])
  })

  it('delivers the same event several times, concurrently', async () => {
    await customer(true)
    const [event] = double.takeEvents() as [StripeEventObject]
    expect(await double.deliver(event, { times: 5, concurrent: true })).toEqual([200, 200, 200, 200, 200])
    expect(receiver.received.map((e) => e.id)).toEqual(Array(5).fill(event.id))
    expect(double.deliveries.filter((d) => d.eventId === event.id)).toHaveLength(5)
  })

  it('auto-delivers state changes in order, and records failures instead of throwing', async () => {
    double.autoDeliver = true
    const c = await customer(false)
    const sub = await subscribe(c.id, [{ price: 'price_basic', quantity: 1 }])
    await double.idle()
    expect(receiver.received.map((e) => e.type)).toEqual([
      'customer.created',
      'customer.subscription.created',
      'invoice.created',
      'invoice.finalized',
      'invoice.payment_failed',
    ])
    expect((receiver.received[2]!.data.object as Stripe.Invoice).status).toBe('draft')
    expect((receiver.received[3]!.data.object as Stripe.Invoice).status).toBe('open')
    expect(double.takeEvents()).toEqual([])

    // Controls resolve after their events were delivered.
    await double.payInvoice(sub.latest_invoice as string)
    expect(receiver.received.slice(-2).map((e) => e.type)).toEqual(['invoice.paid', 'customer.subscription.updated'])

    await receiver.close()
    await double.cancelExternally(sub.id)
    expect(double.deliveries.at(-1)).toMatchObject({ type: 'customer.subscription.deleted', status: 0 })
    expect(double.deliveries.at(-1)!.error).toBeTruthy()
    await receiver.start() // afterEach closes it again
  })

  it('events carry the request id and idempotency key of the API call that caused them', async () => {
    const c = await stripe.customers.create({ name: 'x' }, { idempotencyKey: 'tenant:9:customer' })
    const event = double.eventsOfType('customer.created')[0]!
    expect(event.request.idempotency_key).toBe('tenant:9:customer')
    expect(event.request.id).toBe(c.lastResponse.requestId)
    expect((await stripe.events.retrieve(event.id)).id).toBe(event.id)
  })
})
