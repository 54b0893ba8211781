// Stripe webhook ingest (issue 6, "Speed"): signed `invoice.paid` events, 10% of them duplicates, from 20
// concurrent senders to `POST /api/stripe/webhook` of `caravel serve` with billing on (pointed at the local Stripe
// double), against a bare route in the same worker thread that only verifies the signature
// (`stripe.webhooks.constructEvent` on the raw body). The figures are the ingest endpoint's (verify, store, 2xx);
// the worker that applies the stored events (re-reading each invoice from the double) is timed separately.
// Target: ≥ 1,000 events/s with p99 < 20 ms, every duplicate ignored.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import BetterSqlite3 from 'better-sqlite3'
import { pino } from 'pino'
import Stripe from 'stripe'
import { loadConfig } from '../src/config.js'
import { nowSeconds } from '../src/platform/ids.js'
import { openPlatform } from '../src/platform/platform.js'
import { startServer } from '../src/server.js'
import { STRIPE_DOUBLE_API_VERSION, StripeDouble, type DoubleInvoice, type StripeEventObject } from '../test/helpers/stripe-double.js'
import { fmtDuration, fmtInt, fmtRatio, freePort, nowNs, printTable, progress, prng, serveWorker, startWorker, summarize, verdict, workerSpec } from './lib.js'

const TENANTS = 100_000
const EVENTS = 10_000
const DUPLICATE_SHARE = 0.1
const SENDERS = 20
const WARMUP_EVENTS = 1_000
const RATE_TARGET = 1_000
const P99_TARGET_MS = 20
/** The worker must have applied everything within this long after the run (else the checks fail). */
const APPLY_GIVE_UP_MS = 10 * 60_000
const API_KEY = 'sk_test_double'

interface ServerSpec {
  part: 'webhooks'
  dataDir: string
  port: number
  verifyPort: number
  enginePort: number
  stripeUrl: string
  webhookSecret: string
}

/** What the worker reports about the stored events of one prefix and their effects. */
interface Counts {
  stored: number
  processed: number
  paymentReceived: number
  stillPastDue: number
}

const silent = pino({ level: 'silent' })
/** Named explicitly, so this file can write and read it through connections of its own. */
const dbFile = (dataDir: string) => join(dataDir, 'caravel.db')

function serverConfig(spec: ServerSpec) {
  return loadConfig({
    DATA_DIR: spec.dataDir,
    DATABASE_URL: dbFile(spec.dataDir),
    SERVER_HOST: '127.0.0.1',
    SERVER_PORT: String(spec.port),
    SERVER_URL: `http://127.0.0.1:${spec.port}`,
    ENGINE_PORT: String(spec.enginePort),
    STRIPE_SECRET_KEY: API_KEY,
    STRIPE_WEBHOOK_SECRET: spec.webhookSecret,
    STRIPE_PRICE_BASIC: 'price_basic',
    STRIPE_PRICE_GROWTH: 'price_growth',
    STRIPE_API_BASE: spec.stripeUrl,
    LOG_LEVEL: 'silent',
  })
}

// ---------------------------------------------------------------------------------------------- main thread

/** A paid invoice in the double's state, so the worker's re-read finds it paid. */
function paidInvoice(id: string, customer: string, at: number): DoubleInvoice {
  const subscription = `sub_${customer.slice(4)}`
  return {
    id,
    object: 'invoice',
    amount_due: 500,
    amount_overpaid: 0,
    amount_paid: 500,
    amount_paid_off_stripe: 0,
    amount_remaining: 0,
    attempt_count: 1,
    attempted: true,
    auto_advance: false,
    billing_reason: 'subscription_cycle',
    collection_method: 'charge_automatically',
    created: at,
    currency: 'usd',
    customer,
    customer_email: null,
    customer_name: null,
    description: null,
    due_date: null,
    effective_at: at,
    hosted_invoice_url: null,
    invoice_pdf: null,
    lines: { object: 'list', data: [], has_more: false, total_count: 0, url: `/v1/invoices/${id}/lines` },
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    number: null,
    parent: { type: 'subscription_details', quote_details: null, subscription_details: { metadata: {}, subscription } },
    period_end: at,
    period_start: at - 30 * 86_400,
    status: 'paid',
    status_transitions: { finalized_at: at, marked_uncollectible_at: null, paid_at: at, voided_at: null },
    subscription,
    subtotal: 500,
    total: 500,
  }
}

function invoicePaidEvent(id: string, invoice: DoubleInvoice): StripeEventObject {
  return {
    id,
    object: 'event',
    api_version: STRIPE_DOUBLE_API_VERSION,
    created: invoice.created,
    data: { object: invoice as unknown as Record<string, unknown> },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'invoice.paid',
  }
}

interface Run {
  seconds: number
  /** Nanoseconds, one per request. */
  latencies: number[]
  non2xx: number
  duplicates: number
}

const agent = new http.Agent({ keepAlive: true, maxSockets: SENDERS })

function post(port: number, path: string, body: string, signature: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        agent,
        headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signature, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (text += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

/** Sends every payload once, signed right before the run, from SENDERS concurrent senders. */
async function send(stripe: StripeDouble, port: number, path: string, payloads: string[]): Promise<Run> {
  const signed = payloads.map((body) => ({ body, signature: stripe.signatureHeader(body) }))
  const latencies: number[] = []
  let non2xx = 0
  let duplicates = 0
  let next = 0
  const t0 = nowNs()
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (next < signed.length) {
        const { body, signature } = signed[next++]!
        const started = nowNs()
        const res = await post(port, path, body, signature)
        latencies.push(nowNs() - started)
        if (res.status !== 200) non2xx++
        else if ((JSON.parse(res.text) as { data?: { duplicate?: boolean } }).data?.duplicate) duplicates++
      }
    }),
  )
  return { seconds: (nowNs() - t0) / 1e9, latencies, non2xx, duplicates }
}

export async function runWebhooks(scale: number): Promise<boolean> {
  const tenants = Math.max(1_000, Math.round(TENANTS * scale))
  const events = Math.max(500, Math.round(EVENTS * scale))
  const distinct = Math.round(events * (1 - DUPLICATE_SHARE))
  const random = prng(6)
  const stripe = new StripeDouble({ apiKey: API_KEY })
  await stripe.start()
  const dataDir = mkdtempSync(join(tmpdir(), 'caravel-bench-webhooks-'))
  const spec: ServerSpec = {
    part: 'webhooks',
    dataDir,
    port: await freePort(),
    verifyPort: await freePort(),
    enginePort: await freePort(),
    stripeUrl: stripe.url,
    webhookSecret: stripe.webhookSecret,
  }
  try {
    // Tenants straight into SQLite; the ones an event is about are past due, so `invoice.paid` has an effect.
    progress(`webhooks: inserting ${fmtInt(tenants)} tenants with a Stripe customer id`)
    const order = Array.from({ length: tenants }, (_, i) => i)
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[order[i], order[j]] = [order[j]!, order[i]!]
    }
    const targets = order.slice(0, distinct + WARMUP_EVENTS)
    const pastDue = new Set(targets.slice(0, distinct))
    const now = nowSeconds()
    const customer = (i: number) => `cus_bench${String(i).padStart(6, '0')}`
    // The platform creates the schema; the rows go in through a connection of our own, in one transaction.
    await (await openPlatform(serverConfig(spec), silent)).close()
    const db = new BetterSqlite3(dbFile(dataDir))
    const insert = db.prepare('INSERT INTO tenant (pubkey, stripe_customer_id, past_due_at, created_at) VALUES (?, ?, ?, ?)')
    db.transaction(() => {
      for (let i = 0; i < tenants; i++) insert.run(randomBytes(32).toString('hex'), customer(i), pastDue.has(i) ? now - 3600 : null, now - 86_400)
    })()
    db.close()

    // One paid invoice per event in the double's state; warm-up events are about other tenants.
    const payloadFor = (prefix: string, n: number, tenant: number) => {
      const invoice = paidInvoice(`in_${prefix}${n}`, customer(tenant), now - 60)
      stripe.invoices.set(invoice.id, invoice)
      return JSON.stringify(invoicePaidEvent(`evt_${prefix}${n}`, invoice), null, 2)
    }
    const unique = targets.slice(0, distinct).map((t, n) => payloadFor('bench', n, t))
    const warmup = targets.slice(distinct).map((t, n) => payloadFor('warm', n, t))
    const sequence = [...unique, ...Array.from({ length: events - distinct }, () => unique[Math.floor(random() * distinct)]!)]
    for (let i = sequence.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[sequence[i], sequence[j]] = [sequence[j]!, sequence[i]!]
    }

    const server = await startWorker(import.meta.url, spec)
    let pass = false
    const rows: string[][] = []
    try {
      progress(`webhooks: warm-up, ${fmtInt(WARMUP_EVENTS)} events to each endpoint`)
      await send(stripe, spec.verifyPort, '/verify', warmup)
      await send(stripe, spec.port, '/api/stripe/webhook', warmup)
      await server.call('idle')

      progress(`webhooks: ${fmtInt(events)} events (${fmtInt(events - distinct)} duplicates) to the verify-only route`)
      const bare = await send(stripe, spec.verifyPort, '/verify', sequence)
      progress(`webhooks: the same ${fmtInt(events)} events to POST /api/stripe/webhook`)
      const invoiceReads = () => stripe.requests.filter((r) => r.endpoint === 'GET /v1/invoices/:id' && r.path.includes('in_bench')).length
      const t0 = nowNs()
      const ingest = await send(stripe, spec.port, '/api/stripe/webhook', sequence)
      await Promise.race([server.call('idle'), new Promise((_, reject) => setTimeout(() => reject(new Error('the webhook worker did not finish')), APPLY_GIVE_UP_MS).unref())])
      const applied = (nowNs() - t0) / 1e9
      const counts = await server.call<Counts>('counts', 'evt_bench')

      const rate = (r: Run) => r.latencies.length / r.seconds
      const b = summarize(bare.latencies)
      const s = summarize(ingest.latencies)
      const reads = invoiceReads()
      const once =
        counts.stored === distinct &&
        counts.processed === distinct &&
        ingest.duplicates === events - distinct &&
        counts.paymentReceived === distinct &&
        counts.stillPastDue === 0 &&
        reads === distinct
      pass = rate(ingest) >= RATE_TARGET && s.p99 < P99_TARGET_MS * 1e6 && ingest.non2xx === 0 && bare.non2xx === 0 && once
      rows.push(
        ['verify-only route (baseline)', fmtInt(rate(bare)), fmtDuration(b.median), fmtDuration(b.p99), `${bare.non2xx}`, '', ''],
        [
          'POST /api/stripe/webhook (verify + store + 2xx)',
          fmtInt(rate(ingest)),
          fmtDuration(s.median),
          fmtDuration(s.p99),
          `${ingest.non2xx}`,
          `${fmtRatio(rate(ingest) / rate(bare))} of verify-only`,
          `≥ ${fmtInt(RATE_TARGET)}/s, p99 < ${P99_TARGET_MS} ms, duplicates ignored: ${verdict(pass)}`,
        ],
        [`  … and applied by the worker (all ${fmtInt(distinct)})`, fmtInt(distinct / applied), '', '', '', `${applied.toFixed(2)} s from the first send`, 'no target'],
      )
      console.log(
        `\nduplicates: ${fmtInt(ingest.duplicates)} of ${fmtInt(events - distinct)} answered duplicate; stored ${fmtInt(counts.stored)} events for ${fmtInt(distinct)} distinct ids, ` +
          `${fmtInt(counts.processed)} processed; effects: ${fmtInt(counts.paymentReceived)} "payment received" activities, ${counts.stillPastDue} target tenants still past due, ` +
          `${fmtInt(reads)} invoice re-reads from the double: ${once ? 'each event took effect once' : 'MISMATCH'}`,
      )
    } finally {
      await server.stop()
    }
    printTable(
      `Stripe webhook ingest: ${fmtInt(events)} signed invoice.paid events (${Math.round(DUPLICATE_SHARE * 100)}% duplicates) for ${fmtInt(tenants)} tenants, ${SENDERS} concurrent senders, server and verify-only route in one worker thread, Stripe double on the sender's thread`,
      ['endpoint', 'events/s', 'p50', 'p99', 'non-2xx', 'ratio', 'target'],
      rows,
    )
    return pass
  } finally {
    agent.destroy()
    await stripe.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

// ---------------------------------------------------------------------------------------------- worker thread

async function serveInWorker(spec: ServerSpec): Promise<void> {
  const running = await startServer(serverConfig(spec), silent)
  // The baseline: a bare route that only verifies the signature on the raw body, as the real endpoint does first.
  const stripe = new Stripe(API_KEY)
  const app = new Hono().post('/verify', async (c) => {
    try {
      stripe.webhooks.constructEvent(await c.req.text(), c.req.header('stripe-signature') ?? '', spec.webhookSecret, 300)
    } catch {
      return c.json({ error: 'signature-invalid' }, 400)
    }
    return c.json({ data: { received: true } }, 200)
  })
  const bare = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: spec.verifyPort }, () => resolve(s))
  })
  const db = new BetterSqlite3(dbFile(spec.dataDir), { readonly: true })
  const count = (sql: string, ...args: unknown[]) => (db.prepare(sql).get(...args) as { n: number }).n
  serveWorker(
    null,
    {
      idle: () => running.billing!.idle(),
      counts: (prefix): Counts => ({
        stored: count('SELECT count(*) AS n FROM stripe_event WHERE id LIKE ?', `${prefix}%`),
        processed: count('SELECT count(*) AS n FROM stripe_event WHERE id LIKE ? AND processed_at IS NOT NULL', `${prefix}%`),
        paymentReceived: count("SELECT count(*) AS n FROM activity WHERE activity_type = 'update_tenant' AND detail = 'payment received'"),
        stillPastDue: count('SELECT count(*) AS n FROM tenant WHERE past_due_at IS NOT NULL'),
      }),
    },
    async () => {
      await new Promise<void>((resolve) => bare.close(() => resolve()))
      db.close()
      await running.close()
    },
  )
}

const spec = workerSpec<ServerSpec>()
if (spec?.part === 'webhooks') await serveInWorker(spec)
