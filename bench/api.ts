// API throughput: `GET /api/tenants/:pubkey/relays` by session cookie and by a fresh NIP-98 token per request,
// against a bare Hono route served the same way and against the single-core Schnorr verification rate.
// The server under test runs in a worker thread (this same file, see the bottom), the load generator here.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import autocannon from 'autocannon'
import { Hono } from 'hono'
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/wasm'
import type { EventTemplate } from 'nostr-tools/pure'
import { pino } from 'pino'
import { loadConfig } from '../src/config.js'
import { nip98Header } from '../src/nostr/nip98.js'
import { initVerifier, verifyFreshEvent } from '../src/nostr/verify.js'
import { startServer } from '../src/server.js'
import { fmtDuration, fmtInt, fmtRatio, freePort, loadRun, nowNs, printTable, progress, serveWorker, startWorker as startBenchWorker, verdict, workerSpec, type Load } from './lib.js'

const CONNECTIONS = 50
const WARMUP_SECONDS = 2
const SECONDS = 10
const NIP98_SECONDS = 8 // the token pool is sized for about this long at the verification rate
const VERIFY_SAMPLES = 4_000
const SESSION_SHARE_TARGET = 0.4
const SESSION_P99_TARGET_MS = 5
const NIP98_SHARE_TARGET = 0.8
const RELAYS_PER_TENANT = 3

interface ServerSpec {
  kind: 'bare' | 'platform'
  /** For a bare server: the JSON it answers (default a tiny object). */
  body?: string
  port: number
  url: string
  dataDir?: string
  /** `caravel serve` also starts the embedded relay engine; it gets a free port too. */
  enginePort?: number
}

// ---------------------------------------------------------------------------------------------- main thread

/** Starts a server in a worker thread (this same file, see the bottom); resolves once it listens. */
function startWorker(spec: ServerSpec): Promise<{ stop(): Promise<void> }> {
  return startBenchWorker(import.meta.url, spec)
}

/** One run with this benchmark's connection count. */
function load(opts: autocannon.Options): Promise<Load> {
  return loadRun({ connections: CONNECTIONS, ...opts })
}

async function warmAndLoad(opts: autocannon.Options): Promise<Load> {
  await load({ ...opts, duration: WARMUP_SECONDS })
  return load({ ...opts, duration: SECONDS })
}

/** Single-core Schnorr verification rate of `verifyFreshEvent` on freshly parsed events. */
function verificationRate(sk: Uint8Array, url: string): number {
  const sign = (t: EventTemplate) => finalizeEvent(t, sk)
  const json = Array.from({ length: VERIFY_SAMPLES }, () => Buffer.from(nip98Header(sign, { url, method: 'GET' }).slice(6), 'base64').toString())
  const rates: number[] = []
  for (let round = 0; round < 3; round++) {
    const events: unknown[] = json.map((j) => JSON.parse(j))
    const t0 = nowNs()
    for (const e of events) if (!verifyFreshEvent(e)) throw new Error('a freshly signed event did not verify')
    rates.push(events.length / ((nowNs() - t0) / 1e9))
  }
  return Math.max(...rates)
}

/** Distinct tokens, one per request, signed right before they are used. */
function tokenPool(sk: Uint8Array, url: string, count: number): string[] {
  const sign = (t: EventTemplate) => finalizeEvent(t, sk)
  return Array.from({ length: count }, () => nip98Header(sign, { url, method: 'GET' }))
}

/** Loads `url` with one token per request; the run ends when `amount` responses arrived. */
async function loadWithTokens(sk: Uint8Array, url: string, amount: number): Promise<Load & { signedIn: string }> {
  const started = nowNs()
  // Autocannon builds a request per connection up front and one per request after that: amount + connections.
  const pool = tokenPool(sk, url, amount + CONNECTIONS)
  const signedIn = fmtDuration(nowNs() - started)
  let next = 0
  const result = await load({
    url,
    amount,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, headers: { ...req.headers, authorization: pool[next++]! } }) }],
  })
  if (next > pool.length) throw new Error('the token pool ran out: a token would have been reused')
  return { ...result, signedIn }
}

async function jsonFetch(url: string, init: RequestInit): Promise<Response> {
  const res = await fetch(url, init)
  if (!res.ok) throw new Error(`${init.method} ${url}: ${res.status} ${await res.text()}`)
  return res
}

export async function runApi(): Promise<boolean> {
  await initVerifier()
  const rows: string[][] = []
  const reqPerSec = (l: Load) => l.requests / l.seconds
  const cell = (l: Load) => [fmtInt(reqPerSec(l)), `${l.p50.toFixed(2)} ms`, `${l.p99.toFixed(2)} ms`, `${l.non2xx + l.errors}`]

  // Baseline: a bare Hono route returning small JSON, served in a worker like the platform.
  let port = await freePort()
  progress(`bare Hono route: ${WARMUP_SECONDS} s warm-up, ${SECONDS} s run`)
  const bareServer = await startWorker({ kind: 'bare', port, url: `http://127.0.0.1:${port}` })
  const bare = await warmAndLoad({ url: `http://127.0.0.1:${port}/hello` })
  await bareServer.stop()
  rows.push(['bare Hono route (baseline)', ...cell(bare), '', ''])

  // The platform on a temporary data directory; SERVER_URL is the URL the tokens are signed for.
  port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  const dataDir = mkdtempSync(join(tmpdir(), 'caravel-bench-'))
  const platform = await startWorker({ kind: 'platform', port, url: origin, dataDir, enginePort: await freePort() })
  let allPass = false
  try {
    const sk = generateSecretKey()
    const pubkey = getPublicKey(sk)
    const sign = (t: EventTemplate) => finalizeEvent(t, sk)
    const nip98Fetch = (method: string, path: string, body?: string) =>
      jsonFetch(origin + path, {
        method,
        body,
        headers: { authorization: nip98Header(sign, { url: origin + path, method, body }), ...(body ? { 'content-type': 'application/json' } : {}) },
      })
    for (let i = 0; i < RELAYS_PER_TENANT; i++) {
      await nip98Fetch('POST', '/api/relays', JSON.stringify({ subdomain: `bench-${i}-${pubkey.slice(0, 8)}`, plan: i === 0 ? 'free' : 'basic' }))
    }
    const cookie = (await nip98Fetch('POST', '/api/session')).headers.get('set-cookie')!.split(';')[0]!
    const route = `/api/tenants/${pubkey}/relays`
    const listedBody = await (await jsonFetch(origin + route, { method: 'GET', headers: { cookie } })).text()
    const listed = JSON.parse(listedBody) as { data: { items: unknown[] } }
    if (listed.data.items.length !== RELAYS_PER_TENANT) throw new Error(`expected ${RELAYS_PER_TENANT} relays, got ${listed.data.items.length}`)

    // A fairer yardstick too: a bare route answering the very same bytes (the response size weighs on every write).
    const samePort = await freePort()
    progress(`bare Hono route with the same ${fmtInt(Buffer.byteLength(listedBody))}-byte body: ${WARMUP_SECONDS} s warm-up, ${SECONDS} s run`)
    const sameServer = await startWorker({ kind: 'bare', port: samePort, url: `http://127.0.0.1:${samePort}`, body: listedBody })
    const same = await warmAndLoad({ url: `http://127.0.0.1:${samePort}/hello` })
    await sameServer.stop()
    rows.push([`bare Hono route, same ${fmtInt(Buffer.byteLength(listedBody))}-byte body`, ...cell(same), '', ''])

    progress(`session cookie: ${WARMUP_SECONDS} s warm-up, ${SECONDS} s run`)
    const session = await warmAndLoad({ url: origin + route, headers: { cookie } })
    const sessionShare = reqPerSec(session) / reqPerSec(bare)
    const sessionPass = sessionShare >= SESSION_SHARE_TARGET && session.p99 < SESSION_P99_TARGET_MS && session.non2xx + session.errors === 0
    rows.push([
      'GET …/relays, session cookie',
      ...cell(session),
      `${fmtRatio(sessionShare)} of bare; ${fmtRatio(reqPerSec(session) / reqPerSec(same))} of same body`,
      `≥ 0.40× of bare and p99 < ${SESSION_P99_TARGET_MS} ms: ${verdict(sessionPass)}`,
    ])

    // The verification rate, on this thread while the server is idle, then the NIP-98 run sized from it.
    const verifyRate = verificationRate(sk, origin + route)
    const threads = loadConfig({}).nip98VerifyThreads
    progress(`NIP-98: verification rate ${fmtInt(verifyRate)}/s on one core; the server checks signatures on ${threads} thread(s) (NIP98_VERIFY_THREADS default); warm-up, then ${NIP98_SECONDS} s worth of fresh tokens`)
    await loadWithTokens(sk, origin + route, Math.round(verifyRate * WARMUP_SECONDS))
    const nip98 = await loadWithTokens(sk, origin + route, Math.round(verifyRate * NIP98_SECONDS))
    const nip98Share = reqPerSec(nip98) / verifyRate
    const nip98Pass = nip98Share >= NIP98_SHARE_TARGET && nip98.non2xx + nip98.errors === 0
    rows.push(['verifyFreshEvent, one core (baseline)', fmtInt(verifyRate), '', '', '', '', ''])
    rows.push([
      `GET …/relays, fresh NIP-98 each (${fmtInt(nip98.requests)} tokens)`,
      ...cell(nip98),
      `${fmtRatio(nip98Share)} of verify`,
      `≥ 0.80×, no failures: ${verdict(nip98Pass)}`,
    ])
    progress(`signed ${fmtInt(nip98.requests + CONNECTIONS)} tokens in ${nip98.signedIn} before the run`)
    allPass = sessionPass && nip98Pass
  } finally {
    await platform.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }

  printTable(
    `API throughput: ${CONNECTIONS} connections (autocannon), server in a worker thread, ${SECONDS} s runs after ${WARMUP_SECONDS} s warm-up`,
    ['load', 'req/s', 'p50', 'p99', 'failures', 'ratio', 'target'],
    rows,
  )
  return allPass
}

// ---------------------------------------------------------------------------------------------- worker thread

async function serveInWorker(spec: ServerSpec): Promise<void> {
  let close: () => Promise<void>
  if (spec.kind === 'bare') {
    const body = spec.body
    const app = new Hono().get('/hello', (c) => (body === undefined ? c.json({ hello: 'world' }) : c.body(body, 200, { 'content-type': 'application/json' })))
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: spec.port }, () => resolve(s))
    })
    close = () => new Promise((resolve) => server.close(() => resolve()))
  } else {
    const env = { DATA_DIR: spec.dataDir, SERVER_HOST: '127.0.0.1', SERVER_PORT: String(spec.port), SERVER_URL: spec.url, ENGINE_PORT: String(spec.enginePort), LOG_LEVEL: 'silent' }
    const running = await startServer(loadConfig(env), pino({ level: 'silent' }))
    close = () => running.close()
  }
  serveWorker(null, {}, close)
}

const spec = workerSpec<ServerSpec>()
if (spec) await serveInWorker(spec)
