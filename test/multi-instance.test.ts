// The proof that several `caravel serve` instances can share one PostgreSQL database. Two real processes (the CLI,
// different ports, the same DATABASE_URL and robot key) drive one engine — `caravel engine` as a third process,
// behind a recording proxy so every management call can be counted — with billing on against the local Stripe
// double and Lightning through the fake wallet service. Both APIs are hammered at once: relays created and changed
// through one instance or the other, Stripe deliveries sent to both (each event twice, concurrently), tenant
// wallets paying their invoices. Then the instance holding the worker leases is killed (SIGKILL) in the middle of
// more work, and the survivor finishes it once the leases expire.
//
// Starts its own PostgreSQL cluster, so it runs in the ordinary suite (and is left out of the PostgreSQL run).
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bytesToHex } from 'nostr-tools/utils'
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nip98Header } from '../src/nostr/nip98.js'
import { keys, sign, type Keys } from './engine/helpers.js'
import { FakeWallet } from './helpers/fake-wallet.js'
import { FaultProxy } from './helpers/fault-proxy.js'
import { freePort } from './helpers/ports.js'
import { startPostgres, type TestPostgres } from './helpers/postgres.js'
import { StripeDouble, type StripeEventObject } from './helpers/stripe-double.js'

interface Proc {
  child: ChildProcess
  output(): string
  exited: Promise<number | null>
}

interface Instance extends Proc {
  base: string
}

const dirs: string[] = []
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'caravel-multi-'))
  dirs.push(d)
  return d
}

/** Runs `caravel <args>` from the sources and resolves once a log line matches `ready`. */
function caravel(args: string[], env: Record<string, string>, ready: RegExp): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const proc: Proc = { child, output: () => out, exited }
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString()
      if (ready.test(out)) resolve(proc)
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    void exited.then((code) => reject(new Error(`caravel ${args.join(' ')} exited ${code}:\n${out}`)))
  })
}

/** Waits for a condition the other processes make true; fails after `ms` saying what it waited for. */
async function until(what: string, check: () => boolean | Promise<boolean>, ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

let cluster: TestPostgres
let db: pg.Pool
let stripe: StripeDouble
let wallet: FakeWallet
let proxy: FaultProxy
let engine: Proc
let a: Instance
let b: Instance

async function api(on: Instance, who: Keys, method: string, path: string, body?: unknown): Promise<{ status: number; data?: any; code?: string }> {
  const raw = body === undefined ? undefined : JSON.stringify(body)
  const headers: Record<string, string> = { authorization: nip98Header((t) => sign(who, t), { url: on.base + path, method, body: raw }) }
  if (raw) headers['content-type'] = 'application/json'
  const res = await fetch(on.base + path, { method, headers, body: raw })
  return { status: res.status, ...((await res.json()) as object) }
}

const rows = async <R>(text: string, values: unknown[] = []): Promise<R[]> => (await db.query(text, values)).rows as R[]

/** Delivers every Stripe event not delivered yet to each live instance, concurrently (duplicates across instances). */
async function deliverWebhooks(to: Instance[]): Promise<number> {
  const events: StripeEventObject[] = stripe.takeEvents()
  for (const event of events) {
    const statuses = (await Promise.all(to.map((i) => stripe.deliver(event, { url: `${i.base}/api/stripe/webhook` })))).flat()
    expect(statuses).toEqual(to.map(() => 200))
  }
  return events.length
}

/** Keeps delivering Stripe's events while waiting for `check`. */
async function untilWithWebhooks(what: string, to: Instance[], check: () => Promise<boolean>, ms?: number): Promise<void> {
  await until(
    what,
    async () => {
      await deliverWebhooks(to)
      return check()
    },
    ms,
  )
}

const enginePosts = (relayId: string) => proxy.seen.filter((r) => r.method === 'POST' && r.path === `/relay/${relayId}`).length
/**
 * POSTs the engine accepted. A process killed between its POST and recording the sync leaves the survivor to POST
 * again, which the engine refuses (409) and the survivor turns into a PATCH: created once all the same.
 */
const engineCreates = (relayId: string) => proxy.seen.filter((r) => r.method === 'POST' && r.path === `/relay/${relayId}` && r.status === 201).length
/** The last config the engine was sent for the relay (POST or PATCH). */
const lastSent = (relayId: string) =>
  JSON.parse([...proxy.seen].reverse().find((r) => (r.method === 'POST' || r.method === 'PATCH') && r.path === `/relay/${relayId}`)?.body ?? '{}')

beforeAll(async () => {
  cluster = await startPostgres()
  const url = await cluster.createDatabase()
  db = new pg.Pool({ connectionString: url, max: 2 })
  stripe = new StripeDouble()
  await stripe.start()
  wallet = new FakeWallet()
  await wallet.start()
  const operatorWallet = await wallet.connect('operator')
  const robotSecret = bytesToHex(generateSecretKey())
  const enginePort = await freePort()
  proxy = new FaultProxy(enginePort)
  await proxy.start()
  engine = await caravel(
    ['engine'],
    {
      ENGINE_PORT: String(enginePort),
      ENGINE_API_HOST: `127.0.0.1:${proxy.port}`,
      ENGINE_API_WHITELIST: getPublicKey(Buffer.from(robotSecret, 'hex')),
      ENGINE_DATA_DIR: tempDir(),
    },
    /relay engine started/,
  )
  const serve = async (): Promise<Instance> => {
    const port = await freePort()
    const base = `http://127.0.0.1:${port}`
    const proc = await caravel(
      ['serve'],
      {
        DATA_DIR: tempDir(),
        DATABASE_URL: url,
        SERVER_PORT: String(port),
        SERVER_URL: base,
        ROBOT_SECRET: robotSecret,
        ZOOID_API_URL: proxy.url,
        STRIPE_SECRET_KEY: 'sk_test_double',
        STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
        STRIPE_PRICE_BASIC: 'price_basic',
        STRIPE_PRICE_GROWTH: 'price_growth',
        STRIPE_API_BASE: stripe.url,
        ROBOT_WALLET: operatorWallet,
        BTC_PRICE_USD_OVERRIDE: '50000',
        LOG_LEVEL: 'info',
      },
      /caravel is serving/,
    )
    return { ...proc, base }
  }
  // `a` starts first and so takes every worker lease; `b` serves the API and waits for them.
  a = await serve()
  b = await serve()
}, 120_000)

afterAll(async () => {
  for (const p of [a, b, engine]) p?.child.kill('SIGKILL')
  await Promise.all([a, b, engine].map((p) => p?.exited))
  await db?.end()
  await proxy?.close()
  await stripe?.close()
  await wallet?.close()
  cluster?.stop()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

describe('two caravel serve processes on one PostgreSQL', () => {
  const relays: { id: string; owner: Keys; name: string }[] = []
  const walletTenants: Keys[] = []
  const unpaidTenants: Keys[] = []

  it('hammered through both APIs: every relay synced once, every Stripe event applied once, every invoice paid once', async () => {
    const holders = await rows<{ name: string; holder: string }>('SELECT name, holder FROM worker_lease ORDER BY name')
    expect(holders.map((l) => l.name)).toEqual(['billing', 'relay-sync', 'robot', 'sweepers'])
    expect(new Set(holders.map((l) => l.holder.split(':')[1]))).toEqual(new Set([String(a.child.pid)]))

    // Tenants paying by Lightning save their wallet on one instance and create a paid relay on the other.
    for (let i = 0; i < 3; i++) {
      const t = keys()
      walletTenants.push(t)
      expect((await api(b, t, 'POST', '/api/tenants')).status).toBe(201)
      expect((await api(b, t, 'PUT', `/api/tenants/${t.pk}`, { nwc_url: await wallet.connect(`tenant-${i}`) })).data.nwc_is_set).toBe(true)
    }
    for (let i = 0; i < 3; i++) unpaidTenants.push(keys())
    const owners = [...Array.from({ length: 6 }, () => keys()), ...walletTenants, ...unpaidTenants]

    // Every owner creates two relays at once, one through each instance; the one through `b` on `basic`, so billing
    // (running in `a`) only hears of it across instances.
    const created = await Promise.all(
      owners.flatMap((owner, o) =>
        [a, b].map(async (on, k) => {
          const paid = o >= 6 && k === 1
          const res = await api(on, owner, 'POST', '/api/relays', { subdomain: `multi-${o}-${k}`, plan: paid ? 'basic' : 'free' })
          expect(res.status).toBe(201)
          return { id: res.data.id as string, owner, via: on }
        }),
      ),
    )
    // Then each relay is renamed twice, all at once: those created through `a` through `b` and then `a`, those
    // created through `b` through `b` only — `a`, holding the workers, hears of them only across instances.
    await Promise.all(
      created.map(async ({ id, owner, via }, n) => {
        for (const [step, on] of (via === a ? [b, a] : [b, b]).entries()) {
          const res = await api(on, owner, 'PUT', `/api/relays/${id}`, { info_name: `relay ${n} v${step + 1}` })
          expect(res.status).toBe(200)
        }
        relays.push({ id, owner, name: `relay ${n} v2` })
      }),
    )
    expect(relays).toHaveLength(owners.length * 2)

    // Every relay reaches the engine: created by exactly one POST, holding its last change (no lost write).
    await untilWithWebhooks('every relay to be synced', [a, b], async () => (await rows('SELECT id FROM relay WHERE synced = 0')).length === 0)
    for (const relay of relays) {
      expect(enginePosts(relay.id)).toBe(1)
      expect(lastSent(relay.id).info).toMatchObject({ name: relay.name })
    }
    const stored = new Map((await rows<{ info_name: string; id: string }>('SELECT id, info_name FROM relay')).map((r) => [r.id, r.info_name]))
    expect(stored).toEqual(new Map(relays.map((r) => [r.id, r.name])))

    // Billing ran in one instance for relays written through both: one subscription per paying tenant. Each
    // invoice is settled over Lightning once, or leaves its tenant past due.
    const customerOf = async (t: Keys) => (await rows<{ stripe_customer_id: string }>('SELECT stripe_customer_id FROM tenant WHERE pubkey = $1', [t.pk]))[0]?.stripe_customer_id
    const invoicesOf = async (t: Keys) => {
      const customer = await customerOf(t)
      return [...stripe.invoices.values()].filter((i) => i.customer === customer)
    }
    await untilWithWebhooks('every wallet tenant to have paid and every other to be past due', [a, b], async () => {
      for (const t of walletTenants) {
        const invoices = await invoicesOf(t)
        if (invoices.length !== 1 || invoices[0]!.status !== 'paid') return false
      }
      const pastDue = await rows('SELECT pubkey FROM tenant WHERE past_due_at IS NOT NULL')
      return pastDue.length === unpaidTenants.length
    })
    for (const t of [...walletTenants, ...unpaidTenants]) {
      const customer = await customerOf(t)
      expect([...stripe.subscriptions.values()].filter((s) => s.customer === customer)).toHaveLength(1)
    }
    for (const t of walletTenants) {
      const [invoice] = await invoicesOf(t)
      expect(wallet.invoicesFor(invoice!.number ?? invoice!.id).reduce((n, i) => n + i.payments, 0)).toBe(1)
      expect(stripe.requests.filter((r) => r.endpoint === 'POST /v1/invoices/:id/pay' && r.path.includes(invoice!.id) && !r.replayed)).toHaveLength(1)
    }
    // Every event Stripe sent was received by both instances, stored once and applied once.
    await untilWithWebhooks('every stored event to be applied', [a, b], async () => (await rows('SELECT id FROM stripe_event WHERE processed_at IS NULL')).length === 0)
    const events = await rows<{ id: string }>('SELECT id FROM stripe_event')
    expect(new Set(events.map((e) => e.id))).toEqual(new Set(stripe.events.map((e) => e.id)))
    expect(events).toHaveLength(stripe.events.length)
    const pastDueMarks = await rows<{ tenant: string; n: number }>(
      "SELECT tenant, COUNT(*)::int AS n FROM activity WHERE detail = 'payment failed: past due' GROUP BY tenant ORDER BY tenant",
    )
    expect(pastDueMarks.every((m) => m.n === 1)).toBe(true)
    for (const t of unpaidTenants) expect(pastDueMarks.find((m) => m.tenant === t.pk)?.n).toBe(1)
    // The DMs: one notice per cause (the payment-due notices of the unpaid invoices), whichever instance saw it.
    const notices = await rows<{ id: string }>("SELECT id FROM notification WHERE kind = 'payment-due' ORDER BY id")
    expect(notices.length).toBe(new Set(notices.map((n) => n.id)).size)
  }, 180_000)

  it('the survivor of a SIGKILL finishes the work once the leases expire', async () => {
    // More work through both instances, and `a` (holding every lease) is killed in the middle of it.
    const owner = keys()
    const more = Promise.all(
      Array.from({ length: 8 }, async (_, n) => {
        const on = n % 2 === 0 ? b : a
        const res = await api(on, owner, 'POST', '/api/relays', { subdomain: `after-kill-${n}`, plan: 'free' }).catch(() => ({ status: 0 }) as { status: number; data?: any })
        return res.status === 201 ? (res.data.id as string) : undefined
      }),
    )
    a.child.kill('SIGKILL')
    await a.exited
    const survivorsAlone = (await more).filter((id): id is string => id !== undefined)
    // The survivor keeps taking writes while the dead instance's leases run out.
    for (let n = 0; n < 4; n++) {
      const res = await api(b, owner, 'POST', '/api/relays', { subdomain: `after-kill-b-${n}`, plan: 'free' })
      expect(res.status).toBe(201)
      survivorsAlone.push(res.data.id)
    }
    // A renewal of a Lightning tenant's subscription: the survivor must collect it once the billing lease is its own.
    const payer = walletTenants[0]!
    const customer = (await rows<{ stripe_customer_id: string }>('SELECT stripe_customer_id FROM tenant WHERE pubkey = $1', [payer.pk]))[0]!.stripe_customer_id
    const subscription = [...stripe.subscriptions.values()].find((s) => s.customer === customer)!
    const renewal = await stripe.renew(subscription.id)

    await untilWithWebhooks('the survivor to sync every relay and collect the renewal', [b], async () => {
      const unsynced = await rows('SELECT id FROM relay WHERE synced = 0')
      return unsynced.length === 0 && stripe.invoices.get(renewal.id)!.status === 'paid'
    })
    const all = await rows<{ id: string }>('SELECT id FROM relay')
    expect(all.length).toBeGreaterThanOrEqual(relays.length + survivorsAlone.length)
    for (const { id } of all) expect(engineCreates(id)).toBe(1)
    expect(wallet.invoicesFor(renewal.number ?? renewal.id).reduce((n, i) => n + i.payments, 0)).toBe(1)
    await untilWithWebhooks('every stored event to be applied', [b], async () => (await rows('SELECT id FROM stripe_event WHERE processed_at IS NULL')).length === 0)
    const holders = await rows<{ name: string; holder: string }>("SELECT name, holder FROM worker_lease WHERE name IN ('billing', 'relay-sync', 'robot') ORDER BY name")
    expect(holders.map((l) => l.holder.split(':')[1])).toEqual([String(b.child.pid), String(b.child.pid), String(b.child.pid)])
  }, 180_000)
})
