// PostgreSQL (issue 10): the hot-path queries at the platform benchmark's scale on PostgreSQL next to SQLite,
// and API throughput with one and with two `caravel serve` instances on one PostgreSQL next to one on SQLite.
// A throwaway PostgreSQL 15 cluster is started for the run (fsync on: these are the settings an operator runs).
import { chmodSync, createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import autocannon from 'autocannon'
import BetterSqlite3 from 'better-sqlite3'
import { finalizeEvent, generateSecretKey, getPublicKey, type EventTemplate } from 'nostr-tools/pure'
import pg from 'pg'
import { pino } from 'pino'
import { loadConfig } from '../src/config.js'
import { SqliteDatabase } from '../src/db/database.js'
import { migrate } from '../src/db/migrate.js'
import { PostgresDatabase } from '../src/db/postgres.js'
import { nip98Header } from '../src/nostr/nip98.js'
import { DEFAULT_PAGE_SIZE } from '../src/platform/pagination.js'
import { Queries } from '../src/platform/queries.js'
import { startServer } from '../src/server.js'
import { startPostgres, type TestPostgres } from '../test/helpers/postgres.js'
import { dataset, drawKeys } from './hot-paths.js'
import { fmtDuration, fmtInt, fmtRatio, freePort, loadRun, nowNs, printTable, progress, serveWorker, startWorker, summarize, workerSpec } from './lib.js'

const ITERATIONS = 10_000
const WARMUP = 1_000
const CONNECTIONS = 50
const WARMUP_SECONDS = 2
const SECONDS = 10
const RELAYS_PER_TENANT = 3

// ---------------------------------------------------------------------------------------------- loading

/** A CSV field as PostgreSQL's COPY reads it: NULL is an unquoted empty field, every string is quoted. */
function csvField(v: unknown): string {
  if (v === null || v === undefined) return ''
  if (typeof v === 'number' || typeof v === 'bigint') return String(v)
  return `"${String(v).replace(/"/g, '""')}"`
}

/** Copies every table of the SQLite file (schema 0001 only) into PostgreSQL with server-side COPY from CSV. */
async function copyIntoPostgres(sqlitePath: string, client: pg.Client): Promise<void> {
  const source = new BetterSqlite3(sqlitePath, { readonly: true })
  const dir = mkdtempSync(join(tmpdir(), 'caravel-pg-load-'))
  chmodSync(dir, 0o755) // the server process (user postgres) reads the files
  try {
    for (const table of ['tenant', 'relay', 'activity']) {
      const columns = (source.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all() as string[])
      const file = join(dir, `${table}.csv`)
      const out = createWriteStream(file)
      const started = nowNs()
      let rows = 0
      let chunk = ''
      for (const row of source.prepare(`SELECT ${columns.join(', ')} FROM ${table}`).raw().iterate() as Iterable<unknown[]>) {
        chunk += row.map(csvField).join(',') + '\n'
        if (++rows % 10_000 === 0) {
          if (!out.write(chunk)) await once(out, 'drain')
          chunk = ''
        }
      }
      out.end(chunk)
      await once(out, 'finish')
      chmodSync(file, 0o644)
      await client.query(`COPY ${table} (${columns.join(', ')}) FROM '${file}' WITH (FORMAT csv)`)
      progress(`${table}: ${fmtInt(rows)} rows copied into PostgreSQL in ${fmtDuration(nowNs() - started)}`)
    }
  } finally {
    source.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

// ---------------------------------------------------------------------------------------------- hot paths

interface Captured {
  text: string
  name: string
  values: unknown[]
}

/** The statement one domain call sends through the pool (text, name and values). */
async function capture(db: PostgresDatabase, call: () => Promise<unknown>): Promise<Captured> {
  const pool = (db as unknown as { pool: pg.Pool }).pool
  const original = pool.query.bind(pool) as (config: unknown) => Promise<unknown>
  let seen: Captured | undefined
  ;(pool as unknown as { query: unknown }).query = (config: Captured) => {
    seen ??= config
    return original(config)
  }
  try {
    await call()
  } finally {
    ;(pool as unknown as { query: unknown }).query = original
  }
  if (!seen) throw new Error('the domain call sent no statement')
  return seen
}

async function timed(keys: string[], fn: (key: string) => Promise<unknown>): Promise<Float64Array> {
  const out = new Float64Array(keys.length)
  for (let i = 0; i < keys.length; i++) {
    const t0 = nowNs()
    await fn(keys[i]!)
    out[i] = nowNs() - t0
  }
  return out
}

async function hotPaths(scale: number, cluster: TestPostgres): Promise<string[][]> {
  const data = await dataset(scale)
  const url = await cluster.createDatabase()
  const pgdb = new PostgresDatabase(url)
  await migrate(pgdb, { upTo: '0001' })
  const loader = new pg.Client({ connectionString: url })
  await loader.connect()
  const loading = nowNs()
  await copyIntoPostgres(data.unindexed, loader)
  const indexing = nowNs()
  await migrate(pgdb)
  await loader.query('VACUUM ANALYZE')
  progress(`PostgreSQL loaded in ${fmtDuration(indexing - loading)}, migrated (indexes) and analysed in ${fmtDuration(nowNs() - indexing)}`)

  const sqlite = new SqliteDatabase(data.indexed)
  const reader = sqlite.rawReader
  const lite = new Queries(sqlite)
  const pgq = new Queries(pgdb)
  const n = ITERATIONS + WARMUP
  const { counts } = data
  const paths: { name: string; keys: string[]; run: (q: Queries, key: string) => Promise<unknown> }[] = [
    { name: 'getTenantByStripeCustomerId', keys: drawKeys(reader, 'tenant', 'stripe_customer_id', counts.tenants, n, 'stripe_customer_id IS NOT NULL'), run: (q, k) => q.getTenantByStripeCustomerId(k) },
    { name: 'listRelaysForTenant', keys: drawKeys(reader, 'tenant', 'pubkey', counts.tenants, n), run: (q, k) => q.listRelaysForTenant(k) },
    { name: 'hasActivePaidRelays', keys: drawKeys(reader, 'tenant', 'pubkey', counts.tenants, n), run: (q, k) => q.hasActivePaidRelays(k) },
    { name: 'listActivityForRelay', keys: drawKeys(reader, 'activity', 'resource_id', counts.activity, n, `resource_type = 'relay'`), run: (q, k) => q.listActivityForRelay(k, DEFAULT_PAGE_SIZE + 1) },
  ]
  const raw = new pg.Client({ connectionString: url })
  await raw.connect()
  const rows: string[][] = []
  for (const path of paths) {
    progress(`timing ${path.name} on PostgreSQL and SQLite`)
    const probe = path.keys[0]!
    const captured = await capture(pgdb, () => path.run(pgq, probe))
    const bind = (key: string) => captured.values.map((v) => (v === probe ? key : v))
    const plan = (await pgdb.explain(captured.text.replace(/\$\d+/g, '?'), bind(probe))).join(' ')
    if (!/Index|index/.test(plan)) throw new Error(`${path.name} does not use an index on PostgreSQL: ${plan}`)
    const rawRun = (key: string) => raw.query({ name: `raw_${captured.name}`, text: captured.text, values: bind(key) })
    const warm = path.keys.slice(0, WARMUP)
    const keys = path.keys.slice(WARMUP)
    await timed(warm, (k) => path.run(pgq, k))
    await timed(warm, rawRun)
    await timed(warm, (k) => path.run(lite, k))
    const domain = summarize(await timed(keys, (k) => path.run(pgq, k)))
    const direct = summarize(await timed([...keys].reverse(), rawRun))
    const onSqlite = summarize(await timed(keys, (k) => path.run(lite, k)))
    rows.push([
      path.name,
      `${fmtDuration(domain.median)} / ${fmtDuration(domain.p99)}`,
      `${fmtDuration(direct.median)} / ${fmtDuration(direct.p99)}`,
      fmtRatio(domain.median / direct.median),
      `${fmtDuration(onSqlite.median)} / ${fmtDuration(onSqlite.p99)}`,
      fmtRatio(domain.median / onSqlite.median),
    ])
  }
  await raw.end()
  await loader.end()
  await pgdb.close()
  await sqlite.close()
  printTable(
    `Hot paths on PostgreSQL 15: ${fmtInt(counts.tenants)} tenants, ${fmtInt(counts.relays)} relays, ${fmtInt(counts.activity)} activity rows, ` +
      `${fmtInt(ITERATIONS)} awaited calls each (median / p99); every plan uses an index`,
    ['query', 'PostgreSQL, domain', 'PostgreSQL, raw pg client', 'domain/raw', 'SQLite, domain', 'PostgreSQL/SQLite'],
    rows,
  )
  return rows
}

// ---------------------------------------------------------------------------------------------- API throughput

interface ServerSpec {
  port: number
  url: string
  dataDir: string
  enginePort: number
  databaseUrl?: string
}

interface Load {
  requests: number
  seconds: number
  failures: number
  p50: number
  p99: number
}

async function load(opts: autocannon.Options): Promise<Load> {
  const { non2xx, errors, ...rest } = await loadRun(opts)
  return { ...rest, failures: non2xx + errors }
}

/** Loads the same route on every origin at once, `CONNECTIONS` split between them; the sum of their rates. */
async function loadAll(origins: string[], route: string, cookie: string): Promise<Load> {
  const run = (duration: number) =>
    Promise.all(origins.map((o) => load({ url: o + route, headers: { cookie }, connections: Math.round(CONNECTIONS / origins.length), duration })))
  await run(WARMUP_SECONDS)
  const parts = await run(SECONDS)
  const seconds = Math.max(...parts.map((p) => p.seconds))
  const all = parts.reduce((a, p) => ({ requests: a.requests + p.requests, failures: a.failures + p.failures }), { requests: 0, failures: 0 })
  // Percentiles of the combined run: the worse of the parts (each from every response of its own run).
  return { ...all, seconds, p50: Math.max(...parts.map((p) => p.p50)), p99: Math.max(...parts.map((p) => p.p99)) }
}

async function startInstance(dataDir: string, databaseUrl?: string): Promise<{ origin: string; stop(): Promise<void> }> {
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  const worker = await startWorker(import.meta.url, { port, url: origin, dataDir, enginePort: await freePort(), databaseUrl } satisfies ServerSpec)
  return { origin, stop: () => worker.stop() }
}

/** A tenant with relays and a session cookie valid on every instance (sessions live in the database). */
async function seed(origin: string): Promise<{ route: string; cookie: string }> {
  const sk = generateSecretKey()
  const pubkey = getPublicKey(sk)
  const sign = (t: EventTemplate) => finalizeEvent(t, sk)
  const call = async (method: string, path: string, body?: string) => {
    const res = await fetch(origin + path, {
      method,
      body,
      headers: { authorization: nip98Header(sign, { url: origin + path, method, body }), ...(body ? { 'content-type': 'application/json' } : {}) },
    })
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
    return res
  }
  for (let i = 0; i < RELAYS_PER_TENANT; i++) await call('POST', '/api/relays', JSON.stringify({ subdomain: `pgb-${i}-${pubkey.slice(0, 8)}`, plan: i === 0 ? 'free' : 'basic' }))
  const cookie = (await call('POST', '/api/session')).headers.get('set-cookie')!.split(';')[0]!
  return { route: `/api/tenants/${pubkey}/relays`, cookie }
}

async function apiThroughput(cluster: TestPostgres): Promise<string[][]> {
  const rows: string[][] = []
  const reqPerSec = (l: Load) => l.requests / l.seconds
  const cell = (l: Load) => [fmtInt(reqPerSec(l)), `${l.p50.toFixed(2)} ms`, `${l.p99.toFixed(2)} ms`, String(l.failures)]
  const dirs: string[] = []
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'caravel-pgbench-'))
    dirs.push(d)
    return d
  }
  try {
    progress('one instance on SQLite')
    const lite = await startInstance(dir())
    const liteSeed = await seed(lite.origin)
    const sqliteLoad = await loadAll([lite.origin], liteSeed.route, liteSeed.cookie)
    await lite.stop()
    rows.push(['1 instance, SQLite (baseline)', ...cell(sqliteLoad), '1.00×'])

    const url = await cluster.createDatabase()
    progress('one instance on PostgreSQL')
    const a = await startInstance(dir(), url)
    const pgSeed = await seed(a.origin)
    const one = await loadAll([a.origin], pgSeed.route, pgSeed.cookie)
    rows.push(['1 instance, PostgreSQL', ...cell(one), `${fmtRatio(reqPerSec(one) / reqPerSec(sqliteLoad))}`])
    progress('two instances on PostgreSQL')
    const b = await startInstance(dir(), url)
    const two = await loadAll([a.origin, b.origin], pgSeed.route, pgSeed.cookie)
    rows.push(['2 instances, PostgreSQL (load split)', ...cell(two), `${fmtRatio(reqPerSec(two) / reqPerSec(sqliteLoad))}`])
    await b.stop()
    await a.stop()
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  }
  printTable(
    `API throughput on PostgreSQL: GET /api/tenants/:pubkey/relays by session cookie, ${CONNECTIONS} connections in all (autocannon), ` +
      `each server in its own worker thread, ${SECONDS} s after ${WARMUP_SECONDS} s warm-up`,
    ['setup', 'req/s', 'p50', 'p99 (worst instance)', 'failures', 'vs SQLite'],
    rows,
  )
  return rows
}

export async function runPostgres(scale: number, parts: { hotPaths?: boolean; api?: boolean } = { hotPaths: true, api: true }): Promise<boolean> {
  const cluster = await startPostgres({ durable: true })
  try {
    if (parts.hotPaths) await hotPaths(scale, cluster)
    if (parts.api) await apiThroughput(cluster)
  } finally {
    cluster.stop()
  }
  // Report only: the issue asks for the figures side by side, with no target.
  return true
}

// ---------------------------------------------------------------------------------------------- worker thread

const spec = workerSpec<ServerSpec>()
if (spec) {
  const env: Record<string, string | undefined> = {
    DATA_DIR: spec.dataDir,
    SERVER_HOST: '127.0.0.1',
    SERVER_PORT: String(spec.port),
    SERVER_URL: spec.url,
    ENGINE_PORT: String(spec.enginePort),
    LOG_LEVEL: 'silent',
    DATABASE_URL: spec.databaseUrl,
  }
  const running = await startServer(loadConfig(env), pino({ level: 'silent' }))
  serveWorker(null, {}, () => running.close())
}
