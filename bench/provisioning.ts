// Relay provisioning (issue 4, "Speed"):
// 1. latency: relays created back to back through `POST /api/relays` (NIP-98) on `caravel serve` in a worker
//    thread; for each, the time from the POST's response to the first authenticated REQ the new relay answers
//    with EOSE (a nostr-tools client over a real WebSocket to ws://<sub>.localhost:<ENGINE_PORT>, retrying on
//    404 / CLOSED). Baseline: the same client steps on a relay that is already served. Target: p50 < 300 ms,
//    p99 < 1 s;
// 2. start-up reconcile: relays written with `commands.createRelay` while no reactor runs, then `startServer`
//    on that data directory until `relaySync.idle()` and every relay is `synced = 1`. Baseline: the same
//    start-up once they are all synced. No target; relays/s reported.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { pino } from 'pino'
import { loadConfig } from '../src/config.js'
import { nip98Header } from '../src/nostr/nip98.js'
import { openPlatform } from '../src/platform/platform.js'
import { startServer } from '../src/server.js'
import { authedRelay, keys, query, sign, type Keys } from '../test/engine/helpers.js'
import { fmtDuration, fmtInt, fmtRatio, freePort, nowNs, printTable, progress, serveWorker, startWorker, summarize, verdict, workerSpec } from './lib.js'

const RELAYS = 200
const TENANTS = 4
const WARMUP_RELAYS = 5
const BASELINE_SAMPLES = 200
const RETRY_DELAY_MS = 5
/** One connect + AUTH + REQ attempt may take this long before it counts as failed. */
const ATTEMPT_TIMEOUT_MS = 2_000
/** A relay not served after this long is recorded as a failure (and fails the target). */
const GIVE_UP_MS = 15_000
const P50_TARGET_MS = 300
const P99_TARGET_MS = 1_000
const RECONCILE_RELAYS = 10_000
const RECONCILE_TENANTS = 100
const RECONCILE_GIVE_UP_MS = 15 * 60_000

interface ServerSpec {
  part: 'provisioning'
  dataDir: string
  port: number
  enginePort: number
}

const silent = pino({ level: 'silent' })
/** Named explicitly, so this file can read it through a connection of its own. */
const dbFile = (dataDir: string) => join(dataDir, 'caravel.db')

function serverConfig(dataDir: string, port: number, enginePort: number) {
  return loadConfig({
    DATA_DIR: dataDir,
    DATABASE_URL: dbFile(dataDir),
    SERVER_HOST: '127.0.0.1',
    SERVER_PORT: String(port),
    SERVER_URL: `http://127.0.0.1:${port}`,
    ENGINE_PORT: String(enginePort),
    LOG_LEVEL: 'silent',
  })
}

// ---------------------------------------------------------------------------------------------- main thread

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms)))
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** The soft limit on open files of this process (as `ulimit -n` reports it). */
function fdLimit(): string {
  return /Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? '?'
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** One client attempt: connect, AUTH as `owner`, REQ answered with EOSE (CLOSED or a 404 rejects). */
async function authedReq(url: string, owner: Keys): Promise<void> {
  const relay = await within(authedRelay(url, owner), ATTEMPT_TIMEOUT_MS, 'connect + AUTH')
  try {
    await within(query(relay, [{ kinds: [1], limit: 1 }]), ATTEMPT_TIMEOUT_MS, 'REQ')
  } finally {
    relay.close()
  }
}

/** Retries `authedReq` until it works or GIVE_UP_MS passed; returns the attempts made (0 = gave up). */
async function untilServed(url: string, owner: Keys): Promise<{ attempts: number; lastError: string }> {
  const started = Date.now()
  let lastError = ''
  for (let attempt = 1; Date.now() - started < GIVE_UP_MS; attempt++) {
    try {
      await authedReq(url, owner)
      return { attempts: attempt, lastError }
    } catch (err) {
      lastError = (err as Error).message
      await sleep(RETRY_DELAY_MS)
    }
  }
  return { attempts: 0, lastError }
}

async function latency(relays: number): Promise<{ rows: string[][]; pass: boolean; title: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'caravel-bench-prov-'))
  const port = await freePort()
  const enginePort = await freePort()
  const origin = `http://127.0.0.1:${port}`
  const server = await startWorker(import.meta.url, { part: 'provisioning', dataDir, port, enginePort } satisfies ServerSpec)
  try {
    const tenants = Array.from({ length: TENANTS }, () => keys())
    const create = async (owner: Keys, subdomain: string): Promise<{ url: string; postNs: number }> => {
      const body = JSON.stringify({ subdomain, plan: 'free' })
      const url = `${origin}/api/relays`
      const t0 = nowNs()
      const res = await fetch(url, {
        method: 'POST',
        body,
        headers: { authorization: nip98Header((t) => sign(owner, t), { url, method: 'POST', body }), 'content-type': 'application/json' },
      })
      const json = (await res.json()) as { data?: { url: string } }
      if (res.status !== 201 || !json.data) throw new Error(`POST /api/relays ${subdomain}: ${res.status} ${JSON.stringify(json)}`)
      return { url: json.data.url, postNs: nowNs() - t0 }
    }

    progress(`provisioning: ${WARMUP_RELAYS} warm-up relays, then ${relays} back to back`)
    for (let i = 0; i < WARMUP_RELAYS; i++) {
      const { url } = await create(tenants[0]!, `warm-${i}`)
      if ((await untilServed(url, tenants[0]!)).attempts === 0) throw new Error(`warm-up relay ${url} was never served`)
    }
    const samples: number[] = []
    const posts: number[] = []
    const attempts: number[] = []
    const failures: string[] = []
    for (let i = 0; i < relays; i++) {
      const owner = tenants[i % TENANTS]!
      const { url, postNs } = await create(owner, `prov-${i}`)
      const returned = nowNs()
      const served = await untilServed(url, owner)
      if (served.attempts === 0) failures.push(`${url}: ${served.lastError}`)
      else {
        samples.push(nowNs() - returned)
        attempts.push(served.attempts)
      }
      posts.push(postNs)
    }

    // Baseline: the same client steps on a relay that is already served (the floor of the measure above).
    const warmUrl = `ws://warm-0.localhost:${enginePort}`
    const floor: number[] = []
    for (let i = 0; i < BASELINE_SAMPLES; i++) {
      const t0 = nowNs()
      await authedReq(warmUrl, tenants[0]!)
      floor.push(nowNs() - t0)
    }

    const s = summarize(samples)
    const f = summarize(floor)
    const p = summarize(posts)
    const firstTry = attempts.filter((a) => a === 1).length
    const maxAttempts = Math.max(0, ...attempts)
    const pass = failures.length === 0 && s.median < P50_TARGET_MS * 1e6 && s.p99 < P99_TARGET_MS * 1e6
    for (const f of failures.slice(0, 5)) progress(`never served: ${f}`)
    return {
      title: `Relay provisioning: ${relays} relays created back to back through POST /api/relays (${TENANTS} tenants, NIP-98), caravel serve in a worker thread (median / p99)`,
      pass,
      rows: [
        ['connect + AUTH + REQ on a served relay (baseline)', `${fmtDuration(f.median)} / ${fmtDuration(f.p99)}`, `${BASELINE_SAMPLES} samples`, '', ''],
        ['POST /api/relays round trip (for reference)', `${fmtDuration(p.median)} / ${fmtDuration(p.p99)}`, `${relays} relays`, '', ''],
        [
          'POST returned → first authenticated REQ answered',
          `${fmtDuration(s.median)} / ${fmtDuration(s.p99)}`,
          `${firstTry} of ${relays} first try, max ${maxAttempts} attempts, ${failures.length} never served`,
          `${fmtRatio(s.median / f.median)} of baseline (p50)`,
          `p50 < ${P50_TARGET_MS} ms, p99 < ${P99_TARGET_MS / 1000} s: ${verdict(pass)}`,
        ],
      ],
    }
  } finally {
    await server.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

async function reconcile(count: number): Promise<{ rows: string[][]; title: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'caravel-bench-reconcile-'))
  const config = serverConfig(dataDir, await freePort(), await freePort())
  try {
    // Relays written as the API writes them, while no reactor listens: every one is left `synced = 0`.
    progress(`reconcile: writing ${fmtInt(count)} relays with commands.createRelay, no reactor running`)
    const tenants = Array.from({ length: RECONCILE_TENANTS }, () => keys().pk)
    const platform = await openPlatform(config, silent)
    let t0 = nowNs()
    for (let i = 0; i < count; i++) await platform.commands.createRelay(tenants[i % tenants.length]!, { subdomain: `rec-${i}`, plan: 'free' })
    const written = nowNs() - t0
    await platform.close()

    // Start-up with all of them unsynced: startServer returns once the reconcile has queued them all.
    progress(`reconcile: startServer on ${fmtInt(count)} unsynced relays, until relaySync.idle() and all synced`)
    t0 = nowNs()
    let server = await startServer(config, silent)
    const started = nowNs() - t0
    await within(server.relaySync.idle(), RECONCILE_GIVE_UP_MS, 'reconcile')
    const reconciled = nowNs() - t0
    // Read through a connection of our own, so the figures do not depend on the Database abstraction.
    const reader = new BetterSqlite3(dbFile(dataDir), { readonly: true })
    const count1 = (sql: string) => (reader.prepare(sql).get() as { n: number }).n
    const synced = count1('SELECT count(*) AS n FROM relay WHERE synced = 1')
    const failed = count1("SELECT count(*) AS n FROM activity WHERE activity_type = 'fail_relay_sync'")
    const firstError = (reader.prepare("SELECT detail FROM activity WHERE activity_type = 'fail_relay_sync' ORDER BY id LIMIT 1").get() as { detail: string } | undefined)?.detail
    reader.close()
    // Every relay the embedded engine serves keeps its SQLite files open: the process's descriptors bound it.
    const fds = readdirSync('/proc/self/fd').length
    await server.close()
    if (firstError) progress(`reconcile: first sync error: ${firstError}`)

    const rows = [
      [`write ${fmtInt(count)} relays (createRelay, no reactor)`, fmtDuration(written), `${fmtInt(count / (written / 1e9))} relays/s`, ''],
      [
        `startServer → relaySync.idle(), ${fmtInt(count)} unsynced`,
        fmtDuration(reconciled),
        `${fmtInt(synced / (reconciled / 1e9))} synced/s`,
        `${fmtInt(synced)} of ${fmtInt(count)} synced, ${fmtInt(failed)} sync failures, ${fmtInt(fds)} open fds (limit ${fdLimit()}); startServer returned after ${fmtDuration(started)}`,
      ],
    ]
    // Baseline: the same start-up once the relays are synced (the engine loads them all; nothing to reconcile).
    progress('reconcile: the same start-up with the relays synced (baseline)')
    try {
      t0 = nowNs()
      server = await startServer(config, silent)
      await server.relaySync.idle()
      const baseline = nowNs() - t0
      await server.close()
      const net = reconciled - baseline
      rows.push(
        [`startServer → relaySync.idle(), ${fmtInt(synced)} synced (baseline)`, fmtDuration(baseline), '', ''],
        ['  reconcile minus the baseline', fmtDuration(net), `${fmtInt(synced / (net / 1e9))} synced/s`, 'no target'],
      )
    } catch (err) {
      rows.push(['startServer again (baseline)', 'failed', '', (err as Error).message])
    }
    return {
      title: `Start-up reconcile: ${fmtInt(count)} relays written with commands.createRelay while no reactor ran (${RECONCILE_TENANTS} tenants), then startServer on that data directory, in this thread`,
      rows,
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}

export async function runProvisioning(scale: number): Promise<boolean> {
  const lat = await latency(Math.max(20, Math.round(RELAYS * scale)))
  printTable(lat.title, ['measure', 'median / p99', 'attempts', 'ratio', 'target'], lat.rows)
  const rec = await reconcile(Math.max(100, Math.round(RECONCILE_RELAYS * scale)))
  printTable(rec.title, ['measure', 'time', 'rate', 'notes'], rec.rows)
  return lat.pass
}

// ---------------------------------------------------------------------------------------------- worker thread

const spec = workerSpec<ServerSpec>()
if (spec?.part === 'provisioning') {
  const running = await startServer(serverConfig(spec.dataDir, spec.port, spec.enginePort), silent)
  serveWorker(null, {}, () => running.close())
}
