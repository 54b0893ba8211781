// Hot paths at scale: the four hot-path queries of the domain layer against the same SQL as a raw prepared
// statement (the domain must add no per-call query building) and against a copy without the hot-path indexes.
import { randomBytes } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import BetterSqlite3 from 'better-sqlite3'
import { SqliteDatabase } from '../src/db/database.js'
import { migrate } from '../src/db/migrate.js'
import { DEFAULT_PAGE_SIZE } from '../src/platform/pagination.js'
import { PAID_PLAN_IDS } from '../src/platform/plans.js'
import { Queries } from '../src/platform/queries.js'
import { fmtDuration, fmtInt, fmtRatio, nowNs, printTable, progress, prng, summarize, verdict } from './lib.js'

const FULL = { tenants: 1_000_000, relays: 2_000_000, activity: 10_000_000 }
const DATA_DIR = fileURLToPath(new URL('./.data/', import.meta.url))

const ITERATIONS = 20_000 // per function, for the domain call and for the raw statement each
const WARMUP = 2_000
const UNINDEXED_MAX_CALLS = 15
const UNINDEXED_BUDGET_NS = 15e9 // per function; at least 3 calls whatever the time
const DOMAIN_TARGET = 2
const INDEX_TARGET = 1_000

interface Counts {
  tenants: number
  relays: number
  activity: number
}

interface Dataset {
  indexed: string
  unindexed: string
  counts: Counts
  generatedIn: string
}

// ---------------------------------------------------------------------------------------------- generator

// The activity timeline ends at a fixed date so datasets are comparable between runs.
const END = 1_750_000_000
const SPAN = 3 * 365 * 86400

/** Random strings from big crypto buffers: one syscall per 64k ids. */
function randomStrings(bytes: number, encoding: 'hex' | 'base64url'): () => string {
  let buf = Buffer.alloc(0)
  let off = 0
  return () => {
    if (off + bytes > buf.length) {
      buf = randomBytes(bytes * 65536)
      off = 0
    }
    off += bytes
    return buf.toString(encoding, off - bytes, off)
  }
}

function pick<T>(rand: () => number, weighted: [T, number][]): T {
  let u = rand()
  for (const [value, weight] of weighted) if ((u -= weight) < 0) return value
  return weighted[weighted.length - 1]![0]
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
function stripeId(rand: () => number, prefix: string): string {
  let s = prefix
  for (let i = 0; i < 14; i++) s += ALNUM[Math.floor(rand() * ALNUM.length)]
  return s
}

/** Inserts `count` rows through `insert`, committing every 100k rows. */
function fill(raw: BetterSqlite3.Database, label: string, count: number, insert: (i: number) => void): void {
  const batch = raw.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) insert(i)
  })
  const started = nowNs()
  for (let from = 0; from < count; from += 100_000) batch(from, Math.min(count, from + 100_000))
  progress(`${label}: ${fmtInt(count)} rows in ${fmtDuration(nowNs() - started)}`)
}

function populate(raw: BetterSqlite3.Database, counts: Counts): void {
  const rand = prng(20_250_615)
  const pubkey = randomStrings(32, 'hex')
  const id = randomStrings(16, 'base64url') // randomId()'s format
  const sealed = randomStrings(92, 'base64url') // SecretBox output: nonce + 64-char hex key + tag

  // Tenants: about 30% have a Stripe customer, a few pay by Lightning (NWC) instead.
  const tenantKey: string[] = new Array(counts.tenants)
  const tenantCreated = new Int32Array(counts.tenants)
  const tenantPays = new Uint8Array(counts.tenants)
  const insertTenant = raw.prepare(
    'INSERT INTO tenant (pubkey, nwc_url, nwc_error, stripe_customer_id, stripe_subscription_id, past_due_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  )
  fill(raw, 'tenant', counts.tenants, (i) => {
    const key = (tenantKey[i] = pubkey())
    const created = (tenantCreated[i] = END - SPAN + Math.floor(rand() * SPAN))
    const stripe = rand() < 0.3
    const nwc = !stripe && rand() < 0.05
    tenantPays[i] = stripe || nwc ? 1 : 0
    insertTenant.run(
      key,
      nwc ? `v1.${sealed()}` : null,
      nwc && rand() < 0.1 ? 'wallet unreachable' : null,
      stripe ? stripeId(rand, 'cus_') : null,
      stripe && rand() < 0.8 ? stripeId(rand, 'sub_') : null,
      stripe && rand() < 0.03 ? created + Math.floor(rand() * (END - created)) : null,
      created,
    )
  })

  // Relays: several per tenant (0 to 8, mean about 2), paying tenants mostly on paid plans.
  const relayKey: string[] = new Array(counts.relays)
  const relayTenant = new Int32Array(counts.relays)
  const relayPlan: string[] = new Array(counts.relays)
  const relayStatus: string[] = new Array(counts.relays)
  const perTenant: [number, number][] = [[0, 0.1], [1, 0.3], [2, 0.3], [3, 0.15], [4, 0.1], [5, 0.03], [8, 0.02]]
  const insertRelay = raw.prepare(
    `INSERT INTO relay (id, tenant, subdomain, plan, status, synced, sync_error, info_name, info_icon, info_description,
       policy_public_join, policy_strip_signatures, groups_enabled, management_enabled, blossom_enabled, livekit_enabled,
       push_enabled, secret, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  let tenant = -1
  let left = 0
  fill(raw, 'relay', counts.relays, (j) => {
    while (left === 0) {
      tenant = (tenant + 1) % counts.tenants
      left = pick(rand, perTenant)
    }
    left--
    const t = tenant
    relayTenant[j] = t
    const paid = rand() < (tenantPays[t] ? 0.75 : 0.1)
    const plan = (relayPlan[j] = paid ? pick(rand, [['basic', 0.7], ['growth', 0.3]]) : 'free')
    const status = (relayStatus[j] = pick(rand, [['active', 0.8], ['inactive', 0.15], ['delinquent', 0.05]]))
    const created = tenantCreated[t]! + Math.floor(rand() * (END - tenantCreated[t]!))
    const synced = rand() < 0.97
    const on = () => (rand() < 0.3 ? 1 : 0)
    insertRelay.run(
      (relayKey[j] = id()),
      tenantKey[t],
      `relay-${j.toString(36)}`,
      plan,
      status,
      synced ? 1 : 0,
      synced ? '' : 'engine unreachable',
      `Relay ${j}`,
      rand() < 0.4 ? `https://img.example.com/${j.toString(36)}.png` : '',
      rand() < 0.5 ? 'A community relay for friends of the project.' : '',
      on(),
      on(),
      on(),
      on(),
      plan === 'free' ? 0 : on(),
      plan === 'free' ? 0 : on(),
      on(),
      `v1.${sealed()}`,
      created,
      created + Math.floor(rand() * (END - created)),
    )
  })

  // Activity in insertion = time order with exponential gaps (about 10% share a second with the previous
  // row). 80% are about relays, skewed so a few relays are busy and many are quiet; the rest about tenants.
  const meanGap = SPAN / counts.activity
  let now = END - SPAN
  const relayTypes: [string, number][] = [
    ['update_relay', 0.3],
    ['complete_relay_sync', 0.3],
    ['fail_relay_sync', 0.15],
    ['create_relay', 0.1],
    ['activate_relay', 0.05],
    ['deactivate_relay', 0.05],
    ['mark_relay_delinquent', 0.05],
  ]
  const insertActivity = raw.prepare(
    `INSERT INTO activity (id, tenant, created_at, activity_type, resource_type, resource_id, relay_plan, relay_status, detail)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  fill(raw, 'activity', counts.activity, () => {
    now += Math.floor(-Math.log(1 - rand()) * meanGap)
    if (rand() < 0.8) {
      // A skewed draw spread over the table by a multiplicative permutation (1,000,003 is prime).
      const r = (Math.floor(counts.relays * rand() ** 2) * 1_000_003) % counts.relays
      const type = pick(rand, relayTypes)
      insertActivity.run(id(), tenantKey[relayTenant[r]!], now, type, 'relay', relayKey[r], relayPlan[r], relayStatus[r],
        type === 'fail_relay_sync' ? 'engine returned 502' : null)
    } else {
      const t = Math.floor(rand() * counts.tenants)
      const type = rand() < 0.3 ? 'create_tenant' : 'update_tenant'
      insertActivity.run(id(), tenantKey[t], now, type, 'tenant', tenantKey[t], null, null, null)
    }
  })
}

/** Builds (or reuses) the indexed database and its unindexed copy for this scale. */
export async function dataset(scale: number): Promise<Dataset> {
  const counts: Counts = {
    tenants: Math.max(100, Math.round(FULL.tenants * scale)),
    relays: Math.max(200, Math.round(FULL.relays * scale)),
    activity: Math.max(1000, Math.round(FULL.activity * scale)),
  }
  const dir = join(DATA_DIR, `scale-${scale}`)
  const marker = join(dir, 'ready.json')
  const result = { indexed: join(dir, 'indexed.db'), unindexed: join(dir, 'unindexed.db'), counts }
  if (existsSync(marker)) {
    const saved = JSON.parse(readFileSync(marker, 'utf8')) as { counts: Counts; generatedIn: string }
    progress(`reusing the dataset in ${dir} (generated in ${saved.generatedIn}; delete the directory to regenerate)`)
    // Migrations added since it was generated (new columns, new indexes) are applied to the indexed copy.
    const existing = new SqliteDatabase(result.indexed)
    const applied = await migrate(existing)
    await existing.close()
    if (applied.length > 0) progress(`applied ${applied.join(', ')} to the reused dataset`)
    return { ...result, generatedIn: `${saved.generatedIn}, reused` }
  }
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  progress(`generating ${fmtInt(counts.tenants)} tenants, ${fmtInt(counts.relays)} relays, ${fmtInt(counts.activity)} activity rows into ${dir}`)
  const started = nowNs()

  const schema = new SqliteDatabase(result.indexed)
  await migrate(schema, { upTo: '0001' })
  await schema.close()

  // One connection with an in-memory journal and no syncs while generating (better-sqlite3's defensive mode
  // refuses journal_mode=OFF, and WAL cannot switch to it directly); back to WAL, as the platform runs, after.
  const raw = new BetterSqlite3(result.indexed)
  raw.pragma('journal_mode = DELETE')
  raw.pragma('journal_mode = MEMORY')
  raw.pragma('synchronous = OFF')
  raw.pragma('cache_size = -2000000')
  populate(raw, counts)
  raw.pragma('journal_mode = WAL')
  raw.pragma('wal_checkpoint(TRUNCATE)')
  raw.close()
  copyFileSync(result.indexed, result.unindexed)
  progress('copied the unindexed baseline (0001_init.sql only)')

  const indexing = nowNs()
  const db = new SqliteDatabase(result.indexed)
  db.rawWriter.pragma('cache_size = -2000000')
  const applied = await migrate(db)
  db.rawWriter.pragma('wal_checkpoint(TRUNCATE)')
  await db.close()
  progress(`applied ${applied.join(', ')} in ${fmtDuration(nowNs() - indexing)}`)

  const generatedIn = fmtDuration(nowNs() - started)
  writeFileSync(marker, JSON.stringify({ counts, generatedIn, at: new Date().toISOString() }, null, 2))
  progress(`dataset ready in ${generatedIn}`)
  return { ...result, generatedIn }
}

// ---------------------------------------------------------------------------------------------- timing

interface Captured {
  sql: string
  method: 'get' | 'all'
  params: unknown[]
}

/**
 * Runs one domain call and records the statement it executes (SQL, method, bound values) by wrapping
 * better-sqlite3's Statement methods for that call only, so the raw baseline provably runs the same SQL.
 */
async function captureStatement(raw: BetterSqlite3.Database, call: () => Promise<unknown>): Promise<Captured> {
  type Method = (this: BetterSqlite3.Statement, ...params: unknown[]) => unknown
  const proto = Object.getPrototypeOf(raw.prepare('SELECT 1')) as Record<'get' | 'all', Method>
  const original = { get: proto.get, all: proto.all }
  let seen: Captured | undefined
  for (const method of ['get', 'all'] as const) {
    proto[method] = function (...params) {
      seen ??= { sql: this.source, method, params }
      return original[method].apply(this, params)
    }
  }
  try {
    await call()
  } finally {
    Object.assign(proto, original)
  }
  if (!seen) throw new Error('the domain call ran no statement')
  return seen
}

async function timeAsync(keys: string[], fn: (key: string) => Promise<unknown>, out: Float64Array, at: number): Promise<void> {
  for (let i = 0; i < keys.length; i++) {
    const t0 = nowNs()
    await fn(keys[i]!)
    out[at + i] = nowNs() - t0
  }
}

function timeSync(params: unknown[][], fn: (params: unknown[]) => unknown, out: Float64Array, at: number): void {
  for (let i = 0; i < params.length; i++) {
    const t0 = nowNs()
    fn(params[i]!)
    out[at + i] = nowNs() - t0
  }
}

/** `count` random existing values of `column` from rows picked by random rowid (rowids are 1..n). */
export function drawKeys(raw: BetterSqlite3.Database, table: string, column: string, rows: number, count: number, where = '1'): string[] {
  const stmt = raw.prepare(`SELECT ${column} AS k FROM ${table} WHERE rowid = ? AND ${where}`).pluck()
  const rand = prng(count + rows)
  const keys: string[] = []
  for (let tries = 0; keys.length < count; tries++) {
    if (tries > count * 100) throw new Error(`not enough rows in ${table} match ${where}`)
    const k = stmt.get(1 + Math.floor(rand() * rows)) as string | undefined
    if (k !== undefined) keys.push(k)
  }
  return keys
}

export async function runHotPaths(scale: number): Promise<boolean> {
  const data = await dataset(scale)
  const db = new SqliteDatabase(data.indexed)
  const queries = new Queries(db)
  const reader = db.rawReader
  const unindexed = new BetterSqlite3(data.unindexed, { readonly: true })
  const n = ITERATIONS + WARMUP
  const { counts } = data

  const paths: { name: string; keys: string[]; domain: (key: string) => Promise<unknown> }[] = [
    {
      name: 'getTenantByStripeCustomerId',
      keys: drawKeys(reader, 'tenant', 'stripe_customer_id', counts.tenants, n, 'stripe_customer_id IS NOT NULL'),
      domain: (k) => queries.getTenantByStripeCustomerId(k),
    },
    {
      name: 'listRelaysForTenant',
      keys: drawKeys(reader, 'tenant', 'pubkey', counts.tenants, n),
      domain: (k) => queries.listRelaysForTenant(k),
    },
    {
      name: 'hasActivePaidRelays',
      keys: drawKeys(reader, 'tenant', 'pubkey', counts.tenants, n),
      domain: (k) => queries.hasActivePaidRelays(k),
    },
    {
      // Relays drawn in proportion to their activity: busy relays' pages are the ones people open.
      name: 'listActivityForRelay',
      keys: drawKeys(reader, 'activity', 'resource_id', counts.activity, n, `resource_type = 'relay'`),
      domain: (k) => queries.listActivityForRelay(k, DEFAULT_PAGE_SIZE + 1),
    },
  ]
  if (PAID_PLAN_IDS.length === 0) throw new Error('no paid plans')

  const rows: string[][] = []
  let allPass = true
  for (const path of paths) {
    progress(`timing ${path.name}`)
    const probe = path.keys[0]!
    const captured = await captureStatement(reader, () => path.domain(probe))
    if (!db.preparedSql.includes(captured.sql)) throw new Error(`${path.name} ran SQL that is not in db.preparedSql`)
    if (captured.params.filter((p) => p === probe).length !== 1) throw new Error(`${path.name}: cannot locate its key among the bound values`)
    const bind = (key: string) => captured.params.map((p) => (p === probe ? key : p))
    const rawStmt = reader.prepare(captured.sql)
    const slowStmt = unindexed.prepare(captured.sql)
    const run = (stmt: BetterSqlite3.Statement) => (params: unknown[]) => (captured.method === 'get' ? stmt.get(...params) : stmt.all(...params))
    const rawRun = run(rawStmt)

    // Warm up both, then alternate domain and raw in rounds so drift (caches, JIT, GC) hits both alike.
    const warm = path.keys.slice(0, WARMUP)
    await timeAsync(warm, path.domain, new Float64Array(WARMUP), 0)
    timeSync(warm.map(bind), rawRun, new Float64Array(WARMUP), 0)
    const keys = path.keys.slice(WARMUP)
    const rawParams = [...keys].reverse().map(bind)
    const domainNs = new Float64Array(ITERATIONS)
    const rawNs = new Float64Array(ITERATIONS)
    const ROUNDS = 10
    const per = ITERATIONS / ROUNDS
    for (let r = 0; r < ROUNDS; r++) {
      await timeAsync(keys.slice(r * per, (r + 1) * per), path.domain, domainNs, r * per)
      timeSync(rawParams.slice(r * per, (r + 1) * per), rawRun, rawNs, r * per)
    }

    // Unindexed: a few calls, bounded in time (each scans a table).
    const slowRun = run(slowStmt)
    slowRun(bind(keys[0]!))
    const slowNs: number[] = []
    const budgetEnd = nowNs() + UNINDEXED_BUDGET_NS
    for (let i = 1; slowNs.length < UNINDEXED_MAX_CALLS && (slowNs.length < 3 || nowNs() < budgetEnd); i++) {
      const params = bind(keys[i * 97]!)
      const t0 = nowNs()
      slowRun(params)
      slowNs.push(nowNs() - t0)
    }

    const domain = summarize(domainNs)
    const raw = summarize(rawNs)
    const slow = summarize(slowNs)
    const overhead = domain.median / raw.median
    const speedup = slow.median / domain.median
    const pass = overhead <= DOMAIN_TARGET && speedup >= INDEX_TARGET
    allPass &&= pass
    rows.push([
      path.name,
      `${fmtDuration(domain.median)} / ${fmtDuration(domain.p99)}`,
      `${fmtDuration(raw.median)} / ${fmtDuration(raw.p99)}`,
      `${fmtDuration(slow.median)} / ${fmtDuration(slow.p99)} (${slow.count})`,
      `${fmtRatio(overhead)} ${verdict(overhead <= DOMAIN_TARGET)}`,
      `${fmtRatio(speedup)} ${verdict(speedup >= INDEX_TARGET)}`,
    ])
  }
  unindexed.close()
  await db.close()

  printTable(
    `Hot paths at scale: ${fmtInt(counts.tenants)} tenants, ${fmtInt(counts.relays)} relays, ${fmtInt(counts.activity)} activity rows` +
      ` (dataset ${data.generatedIn}; ${fmtInt(ITERATIONS)} calls each for domain and raw, median / p99)`,
    ['query', 'domain (awaited)', 'raw prepared', 'unindexed (calls)', `domain/raw ≤ ${DOMAIN_TARGET}×`, `unindexed/domain ≥ ${fmtInt(INDEX_TARGET)}×`],
    rows,
  )
  if (scale < 1) console.log(`\n(scale ${scale}: tables this small scan quickly, so the ${fmtInt(INDEX_TARGET)}× target is only meaningful at full scale)`)
  return allPass
}
