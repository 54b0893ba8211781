// Relay engine benchmark: `node --import tsx bench/engine.ts [--scale <fraction>] [--only <parts>]`, or `npm run bench -- --only engine`.
// The engine runs in a child process (its own core and its own resident set); this process is the client.
// 1. ingest: signed kind-1 events from 20 authenticated connections vs the single-core verification rate
//    measured in the same run (target ≥ 70%);
// 2. REQ latency for a 500-event result on a 1,000,000-event relay (target p50 < 10 ms);
// 3. resident set with 1,000 configured relays and 2,000 idle connections (target < 500 MiB);
// 4. NIP-29 groups: REQ latency for a group's latest 200 messages on a relay with 1,000 groups and 1,000,000
//    events (target p50 < 10 ms); ingest of group messages (kind 9 with `h`, closed groups, so the member
//    check runs) against plain kind-1 ingest, alternating in the same run.
// 5. peer: side by side with the issue's peer, `@nostr-relay/core` with its SQLite event repository (served by
//    `bench/peer-relay.ts` in its own process): the same pre-signed kind-1 events over the same 20 connections, then
//    the same REQs on two stores bulk-loaded with the same 1,000,000 events (targets: ahead of the peer).
// 6. transfer: export of a 1,000,000-event relay over the management API (MB/s, the engine's resident set before
//    and at its peak: flat), then import of that JSONL into a fresh relay in 1 MiB requests against the engine's
//    ingest rate measured in the same run (target ≥ 50%).
// `--only ingest,req,memory,groups,peer,transfer` runs some of them.
import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { pipeline } from 'node:stream/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import WebSocket from 'ws'
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/wasm'
import { bytesToHex } from 'nostr-tools/utils'
import type { EventTemplate, NostrEvent } from 'nostr-tools/pure'
import { nip98Header } from '../src/nostr/nip98.js'
import { initVerifier, verifyFreshEvent } from '../src/nostr/verify.js'
import { createLogger } from '../src/log.js'
import { RelayStore, relayDbFile } from '../src/engine/store.js'
import { serializeEvent } from '../src/engine/nip01.js'
import { hexToBytes } from '../src/engine/relay-config.js'
import { MAX_BODY_BYTES } from '../src/engine/http.js'
import { fmtDuration, fmtInt, fmtRatio, nowNs, printTable, progress, startWorker, summarize, verdict } from './lib.js'
import { openPeerLoader } from './peer-relay.js'
import type { SignBatch } from './signer.js'

const SELF = fileURLToPath(import.meta.url)
const PEER = fileURLToPath(new URL('./peer-relay.ts', import.meta.url))

// ------------------------------------------------------------------------------------------ engine process

if (process.argv.includes('--serve')) {
  const { startEngine } = await import('../src/engine/index.js')
  const [dataDir, port, robot] = process.argv.slice(process.argv.indexOf('--serve') + 1)
  const handle = await startEngine({
    port: Number(port),
    listenHost: '127.0.0.1',
    apiHost: `127.0.0.1:${port}`,
    apiWhitelist: [robot!],
    dataDir: dataDir!,
    logger: createLogger({ level: 'warn' }),
  })
  process.on('message', (msg) => {
    if (msg === 'rss') process.send!({ rss: process.memoryUsage().rss })
    if (msg === 'stop') void handle.close().then(() => process.exit(0))
  })
  process.send!({ port: handle.port })
}

// ------------------------------------------------------------------------------------------ client side

interface Engine {
  port: number
  child: ChildProcess
  rss(): Promise<number>
  stop(): Promise<void>
}

function startEngineProcess(dataDir: string, port: number, robotPk: string): Promise<Engine> {
  return forkServer(SELF, ['--serve', dataDir, String(port), robotPk])
}

/** The peer relay in its own process on `file`; `cacheTtl` is its filter-result cache (`default` keeps its 1 s). */
function startPeerProcess(file: string, cacheTtl: number | 'default'): Promise<Engine> {
  return forkServer(PEER, [file, cacheTtl === 'default' ? '' : String(cacheTtl)])
}

async function forkServer(module: string, args: string[]): Promise<Engine> {
  const child = fork(module, args, { execArgv: ['--import', 'tsx'], stdio: 'inherit' })
  const ready = await new Promise<{ port: number }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { port: number }))
    child.once('exit', (code) => reject(new Error(`${path.basename(module)} exited with ${code}`)))
  })
  child.removeAllListeners('exit')
  return {
    port: ready.port,
    child,
    rss: () =>
      new Promise((resolve) => {
        child.once('message', (m) => resolve((m as { rss: number }).rss))
        child.send('rss')
      }),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve())
        child.send('stop')
      }),
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = http.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 })

function apiCall(port: number, robot: Uint8Array, method: string, p: string, body: unknown): Promise<number> {
  return apiRequest(port, robot, method, p, JSON.stringify(body)).then((r) => r.status)
}

/** A management API request signed with NIP-98 (payload hashed when there is a body): status and answer text. */
function apiRequest(port: number, robot: Uint8Array, method: string, p: string, raw?: string | Buffer): Promise<{ status: number; text: string }> {
  const host = `127.0.0.1:${port}`
  const auth = nip98Header((t) => finalizeEvent(t, robot), { url: `http://${host}${p}`, method, body: raw })
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: p, agent, headers: { host, authorization: auth } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }))
    })
    req.on('error', reject)
    req.end(raw)
  })
}

function relayConfig(n: string, owner: string, members: string[] = [], groups = false) {
  return {
    host: `${n}.localhost`,
    schema: n,
    secret: bytesToHex(generateSecretKey()),
    info: { name: n, pubkey: owner },
    roles: members.length ? { bench: { pubkeys: members } } : {},
    groups: { enabled: groups },
  }
}

/** Sends signed events on an authenticated connection, one at a time, and fails on any refusal. */
async function publishAll(ws: WebSocket, events: NostrEvent[]): Promise<void> {
  for (const event of events) {
    const answer = await new Promise<unknown[]>((resolve) => {
      const on = (data: WebSocket.RawData) => {
        const msg = JSON.parse(data.toString()) as unknown[]
        if (msg[0] === 'OK' && msg[1] === event.id) {
          ws.off('message', on)
          resolve(msg)
        }
      }
      ws.on('message', on)
      ws.send(JSON.stringify(['EVENT', event]))
    })
    if (answer[2] !== true) throw new Error(`kind ${event.kind} refused: ${String(answer[3])}`)
  }
}

/** A raw connection to a relay host through 127.0.0.1, answering AUTH with `sk` when given. */
function connect(port: number, host: string, sk?: Uint8Array): Promise<{ ws: WebSocket; authed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`, { headers: { host }, perMessageDeflate: false })
    let authedResolve!: () => void
    const authed = new Promise<void>((r) => (authedResolve = r))
    ws.once('error', reject)
    ws.on('message', function first(data) {
      const msg = JSON.parse(data.toString())
      if (msg[0] === 'AUTH') {
        if (!sk) authedResolve()
        else {
          const evt = finalizeEvent({ kind: 22242, created_at: Math.floor(Date.now() / 1000), tags: [['relay', `ws://${host}`], ['challenge', msg[1]]], content: '' }, sk)
          ws.send(JSON.stringify(['AUTH', evt]))
        }
      } else if (msg[0] === 'OK' && sk) {
        ws.off('message', first)
        authedResolve()
      }
    })
    ws.once('open', () => resolve({ ws, authed }))
  })
}

/** A plain connection (the peer runs without NIP-42, so nothing to answer). */
function connectPlain(port: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false })
    ws.once('error', reject)
    ws.once('open', () => resolve(ws))
  })
}

function verificationRate(events: NostrEvent[]): number {
  const json = events.map((e) => JSON.stringify(e))
  let best = 0
  for (let round = 0; round < 3; round++) {
    const fresh = json.map((j) => JSON.parse(j) as unknown)
    const t0 = nowNs()
    for (const e of fresh) if (!verifyFreshEvent(e)) throw new Error('a signed event did not verify')
    best = Math.max(best, fresh.length / ((nowNs() - t0) / 1e9))
  }
  return best
}

const CONNECTIONS = 20
const IN_FLIGHT = 64

const INGEST_GROUPS = 20

type IngestVariant = 'plain' | 'group'

/** Signed frames per connection: kind 1 with a `t`, or kind 9 with an `h` (one tag each). */
function ingestFrames(variant: IngestVariant, authors: Uint8Array[], perConn: number): string[][] {
  return authors.map((sk, c) =>
    Array.from({ length: perConn }, (_, i) => {
      const tags = variant === 'plain' ? [['t', 'bench']] : [['h', `room-${(c + i) % INGEST_GROUPS}`]]
      const content = `event ${c}/${i} ${randomBytes(16).toString('hex')}`
      return JSON.stringify(['EVENT', finalizeEvent({ kind: variant === 'plain' ? 1 : 9, created_at: Math.floor(Date.now() / 1000), tags, content }, sk)])
    }),
  )
}

/** One ingest run on a fresh engine: every author on its own connection, 64 events in flight each. */
async function ingestRun(variant: IngestVariant, authors: Uint8Array[], frames: string[][]): Promise<{ rate: number; refused: number }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'caravel-bench-ingest-'))
  const robot = generateSecretKey()
  const ownerSk = generateSecretKey()
  const engine = await startEngineProcess(dataDir, await freePort(), getPublicKey(robot))
  const config = relayConfig('ingest', getPublicKey(ownerSk), authors.map((sk) => getPublicKey(sk)), variant === 'group')
  const status = await apiCall(engine.port, robot, 'POST', '/relay/ingest', config)
  if (status !== 201) throw new Error(`relay creation failed: ${status}`)
  if (variant === 'group') {
    // Closed groups with every author put in, so each message goes through the group member check.
    const owner = await connect(engine.port, 'ingest.localhost', ownerSk)
    await owner.authed
    const now = Math.floor(Date.now() / 1000)
    const setup: NostrEvent[] = []
    for (let g = 0; g < INGEST_GROUPS; g++) {
      const h = ['h', `room-${g}`]
      setup.push(finalizeEvent({ kind: 9007, created_at: now, tags: [h, ['name', `Room ${g}`], ['closed']], content: '' }, ownerSk))
      setup.push(finalizeEvent({ kind: 9000, created_at: now, tags: [h, ...authors.map((sk) => ['p', getPublicKey(sk)])], content: '' }, ownerSk))
    }
    await publishAll(owner.ws, setup)
    owner.ws.close()
  }
  const conns = await Promise.all(authors.map((sk) => connect(engine.port, 'ingest.localhost', sk)))
  await Promise.all(conns.map((c) => c.authed))
  progress(`ingesting ${variant === 'plain' ? 'kind-1 events' : 'group messages'} from ${authors.length} connections`)
  const { rate, refused } = await pumpFrames(
    conns.map((c) => c.ws),
    frames,
  )
  for (const { ws } of conns) ws.close()
  await engine.stop()
  fs.rmSync(dataDir, { recursive: true, force: true })
  return { rate, refused }
}

/** Sends each connection its frames, 64 in flight, until every one is answered with OK; events/s over all. */
async function pumpFrames(sockets: WebSocket[], frames: string[][]): Promise<{ rate: number; refused: number }> {
  let refused = 0
  const t0 = nowNs()
  await Promise.all(
    sockets.map(
      (ws, c) =>
        new Promise<void>((resolve) => {
          const list = frames[c]!
          let sent = 0
          let acked = 0
          const pump = () => {
            while (sent < list.length && sent - acked < IN_FLIGHT) ws.send(list[sent++]!)
          }
          ws.on('message', (data) => {
            const msg = JSON.parse(data.toString())
            if (msg[0] !== 'OK') return
            if (!msg[2]) refused++
            acked++
            if (acked === list.length) resolve()
            else pump()
          })
          pump()
        }),
    ),
  )
  const seconds = (nowNs() - t0) / 1e9
  return { rate: frames.reduce((n, list) => n + list.length, 0) / seconds, refused }
}

/** The same ingest on a fresh peer relay: same frames, same 20 connections, same 64 in flight. */
async function peerIngestRun(frames: string[][]): Promise<{ rate: number; refused: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caravel-bench-peer-ingest-'))
  const peer = await startPeerProcess(path.join(dir, 'peer.sqlite'), 'default')
  const sockets = await Promise.all(frames.map(() => connectPlain(peer.port)))
  progress(`ingesting kind-1 events into the peer from ${sockets.length} connections`)
  const result = await pumpFrames(sockets, frames)
  for (const ws of sockets) ws.close()
  await peer.stop()
  fs.rmSync(dir, { recursive: true, force: true })
  return result
}

/**
 * Plain kind-1 ingest against the verification rate (target ≥ 70%), and group-message ingest against plain
 * ingest. The two alternate over two rounds (fresh events each time) and the best of each is kept, so load
 * from other work on the machine weighs on both alike.
 */
async function ingest(scale: number): Promise<{ rows: string[][]; pass: boolean }> {
  const total = Math.max(2000, Math.round(40_000 * scale))
  const authors = Array.from({ length: CONNECTIONS }, () => generateSecretKey())
  const perConn = Math.ceil(total / CONNECTIONS)
  const best = { plain: { rate: 0, refused: 0 }, group: { rate: 0, refused: 0 } }
  let verifyRate = 0
  for (let round = 0; round < 2; round++) {
    for (const variant of ['plain', 'group'] as const) {
      progress(`signing ${fmtInt(perConn * CONNECTIONS)} ${variant === 'plain' ? 'kind-1 events' : 'group messages'}`)
      const frames = ingestFrames(variant, authors, perConn)
      if (round === 0 && variant === 'plain') {
        progress('measuring the single-core verification rate')
        verifyRate = verificationRate(frames.flat().slice(0, 4000).map((f) => JSON.parse(f)[1] as NostrEvent))
      }
      const run = await ingestRun(variant, authors, frames)
      best[variant] = { rate: Math.max(best[variant].rate, run.rate), refused: best[variant].refused + run.refused }
    }
  }
  const ratio = best.plain.rate / verifyRate
  const groupRatio = best.group.rate / best.plain.rate
  const plainPass = ratio >= 0.7 && best.plain.refused === 0
  return {
    pass: plainPass && best.group.refused === 0,
    rows: [
      ['raw verification (1 core)', `${fmtInt(verifyRate)}/s`, '', ''],
      ['engine ingest kind 1 (20 conns)', `${fmtInt(best.plain.rate)}/s`, `${(ratio * 100).toFixed(0)}% of verify`, `${verdict(plainPass)} (≥ 70%, ${best.plain.refused} refused)`],
      [
        `engine ingest group kind 9 (20 conns, ${INGEST_GROUPS} closed groups)`,
        `${fmtInt(best.group.rate)}/s`,
        `${groupRatio.toFixed(2)}× of kind 1`,
        `${best.group.refused} refused`,
      ],
    ],
  }
}

/** Median and p99 of 50 timed REQs (after 10 warm-up ones) until EOSE, and the event count of the last. */
async function timeReq(ws: WebSocket, filterFor: (i: number) => Record<string, unknown>): Promise<{ median: number; p99: number; count: number }> {
  const samples: number[] = []
  let count = 0
  for (let i = 0; i < 60; i++) {
    const t0 = nowNs()
    count = await new Promise<number>((resolve) => {
      let n = 0
      const on = (data: WebSocket.RawData) => {
        const s = data.toString()
        if (s.startsWith('["EVENT"')) n++
        else if (s.startsWith('["EOSE"') || s.startsWith('["CLOSED"')) {
          ws.off('message', on)
          resolve(n)
        }
      }
      ws.on('message', on)
      ws.send(JSON.stringify(['REQ', `q${i}`, filterFor(i)]))
    })
    if (i >= 10) samples.push(nowNs() - t0)
    ws.send(JSON.stringify(['CLOSE', `q${i}`]))
  }
  return { ...summarize(samples), count }
}

/**
 * The REQ parts' relay: `total` fake-signed events (kind 1, one in ten kind 7, a `t` out of 50 and an `e` each, 1,000
 * authors, one second apart), handed to every sink in batches of 20,000, so several stores get the very same
 * events. Returns the authors.
 */
function bulkEvents(total: number, sinks: ((events: NostrEvent[]) => void)[]): string[] {
  const authors = Array.from({ length: 1000 }, () => randomBytes(32).toString('hex'))
  const base = Math.floor(Date.now() / 1000) - total
  const BATCH = 20_000
  for (let start = 0; start < total; start += BATCH) {
    const batch: NostrEvent[] = []
    for (let i = start; i < Math.min(total, start + BATCH); i++) {
      batch.push({
        id: randomBytes(32).toString('hex'),
        pubkey: authors[i % authors.length]!,
        created_at: base + i,
        kind: i % 10 === 0 ? 7 : 1,
        tags: [['t', `topic${i % 50}`], ['e', randomBytes(32).toString('hex')]],
        content: `bulk event ${i}`,
        sig: randomBytes(64).toString('hex'),
      })
    }
    for (const sink of sinks) sink(batch)
  }
  return authors
}

function putAll(store: RelayStore, events: NostrEvent[]): void {
  store.transaction(() => {
    for (const e of events) store.put(e, serializeEvent(e))
  })
}

/** The REQs timed on the big relay; the first (`kinds:[1]`) carries the target. */
function reqFilters(authors: string[]): { label: string; filter: Record<string, unknown> }[] {
  return [
    { label: 'kinds:[1] limit 500', filter: { kinds: [1], limit: 500 } },
    { label: 'author limit 500', filter: { authors: [authors[0]], limit: 500 } },
    { label: '#t limit 500', filter: { '#t': ['topic7'], limit: 500 } },
    { label: 'no filter limit 500', filter: { limit: 500 } },
  ]
}

async function reqLatency(scale: number): Promise<{ rows: string[][]; pass: boolean }> {
  const total = Math.max(20_000, Math.round(1_000_000 * scale))
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'caravel-bench-req-'))
  const robot = generateSecretKey()
  const reader = generateSecretKey()
  let engine = await startEngineProcess(dataDir, await freePort(), getPublicKey(robot))
  const port = engine.port
  const status = await apiCall(port, robot, 'POST', '/relay/big', relayConfig('big', getPublicKey(reader)))
  if (status !== 201) throw new Error(`relay creation failed: ${status}`)
  await engine.stop()

  // Bulk load straight into the relay's database (signatures are not checked on reads).
  progress(`loading ${fmtInt(total)} events into one relay`)
  const store = new RelayStore(relayDbFile(dataDir, 'big'))
  store.db.pragma('synchronous = OFF')
  const authors = bulkEvents(total, [(events) => putAll(store, events)])
  store.close()

  engine = await startEngineProcess(dataDir, port, getPublicKey(robot))
  const { ws, authed } = await connect(port, 'big.localhost', reader)
  await authed
  const rows: string[][] = []
  let pass = true
  for (const { label, filter } of reqFilters(authors)) {
    const { count, ...s } = await timeReq(ws, () => filter)
    const ok = s.median < 10e6 && count === 500
    if (label.startsWith('kinds')) pass = pass && ok
    rows.push([`REQ ${label} (${fmtInt(total)} events)`, fmtDuration(s.median), fmtDuration(s.p99), `${count} events ${label.startsWith('kinds') ? verdict(ok) + ' (p50 < 10 ms)' : ''}`])
  }
  ws.close()
  await engine.stop()
  fs.rmSync(dataDir, { recursive: true, force: true })
  return { rows, pass }
}

/**
 * A group's latest 200 messages on a relay with 1,000 groups (one in ten private) and 1,000,000 events: 90% group
 * posts (kind 9, one in seven a kind 7), 10% plain kind 1. The reader is a relay member (not an admin) listed in
 * every group's 39002, so each row goes through the group read rule. Bulk-loaded like the REQ part; the groups'
 * 39000/39001/39002 are written as the relay's own, which is all the engine reads them back from.
 */
async function groupReqLatency(scale: number): Promise<{ rows: string[][]; pass: boolean }> {
  const total = Math.max(20_000, Math.round(1_000_000 * scale))
  const groups = Math.max(10, Math.round(1000 * scale))
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'caravel-bench-groups-'))
  const robot = generateSecretKey()
  const reader = generateSecretKey()
  const owner = getPublicKey(generateSecretKey())
  let engine = await startEngineProcess(dataDir, await freePort(), getPublicKey(robot))
  const port = engine.port
  const config = relayConfig('space', owner, [getPublicKey(reader)], true)
  const self = getPublicKey(hexToBytes(config.secret))
  const status = await apiCall(port, robot, 'POST', '/relay/space', config)
  if (status !== 201) throw new Error(`relay creation failed: ${status}`)
  await engine.stop()

  progress(`loading ${fmtInt(groups)} groups and ${fmtInt(total)} events into one relay`)
  const store = new RelayStore(relayDbFile(dataDir, 'space'))
  store.db.pragma('synchronous = OFF')
  const fake = (e: Omit<NostrEvent, 'id' | 'sig'>): NostrEvent => ({ ...e, id: randomBytes(32).toString('hex'), sig: randomBytes(64).toString('hex') })
  const base = Math.floor(Date.now() / 1000) - total
  store.transaction(() => {
    for (let g = 0; g < groups; g++) {
      const d = ['d', `room-${g}`]
      const meta = [d, ['name', `Room ${g}`], ...(g % 10 === 0 ? [['private']] : [])]
      for (const [kind, tags] of [
        [39000, meta],
        [39001, [d, ['p', owner, 'admin'], ['p', self, 'admin']]],
        [39002, [d, ['p', getPublicKey(reader)]]],
      ] as const) {
        const e = fake({ pubkey: self, created_at: base, kind, tags: tags as string[][], content: '' })
        store.put(e, serializeEvent(e))
      }
    }
  })
  const authors = Array.from({ length: 1000 }, () => randomBytes(32).toString('hex'))
  const BATCH = 20_000
  for (let start = 0; start < total; start += BATCH) {
    store.transaction(() => {
      for (let i = start; i < Math.min(total, start + BATCH); i++) {
        const inGroup = i % 10 !== 9
        const e = fake({
          pubkey: authors[i % authors.length]!,
          created_at: base + i,
          kind: !inGroup ? 1 : i % 7 === 0 ? 7 : 9,
          tags: inGroup ? [['h', `room-${i % groups}`]] : [['t', `topic${i % 50}`]],
          content: `bulk event ${i}`,
        })
        store.put(e, serializeEvent(e))
      }
    })
  }
  store.close()

  engine = await startEngineProcess(dataDir, port, getPublicKey(robot))
  const { ws, authed } = await connect(port, 'space.localhost', reader)
  await authed
  const room = (i: number) => `room-${(i * 37) % groups}`
  const measures = [
    { label: "a group's latest 200 kind 9", target: true, filter: (i: number) => ({ kinds: [9], '#h': [room(i)], limit: 200 }) },
    { label: 'a room as Flotilla asks (8 kinds) limit 200', target: false, filter: (i: number) => ({ kinds: [9, 11, 1111, 7, 5, 9000, 9001, 9005], '#h': [room(i)], limit: 200 }) },
    { label: 'all group metadata (39000)', target: false, filter: () => ({ kinds: [39000] }) },
  ]
  const rows: string[][] = []
  let pass = true
  for (const m of measures) {
    const s = await timeReq(ws, m.filter)
    const expected = m.target ? 200 : undefined
    const ok = s.median < 10e6 && (expected === undefined || s.count === expected)
    if (m.target) pass = pass && ok
    rows.push([
      `REQ ${m.label} (${fmtInt(groups)} groups, ${fmtInt(total)} events)`,
      fmtDuration(s.median),
      fmtDuration(s.p99),
      `${s.count} events${m.target ? ` ${verdict(ok)} (p50 < 10 ms)` : ''}`,
    ])
  }
  ws.close()
  await engine.stop()
  fs.rmSync(dataDir, { recursive: true, force: true })
  return { rows, pass }
}

async function memory(scale: number): Promise<{ rows: string[][]; pass: boolean }> {
  const relays = Math.max(50, Math.round(1000 * scale))
  const connections = relays * 2
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'caravel-bench-mem-'))
  const robot = generateSecretKey()
  const engine = await startEngineProcess(dataDir, await freePort(), getPublicKey(robot))
  const idle = await engine.rss()
  progress(`creating ${fmtInt(relays)} relays`)
  const owner = getPublicKey(generateSecretKey())
  for (let i = 0; i < relays; i += 8) {
    const batch = Array.from({ length: Math.min(8, relays - i) }, (_, j) => i + j)
    const statuses = await Promise.all(batch.map((n) => apiCall(engine.port, robot, 'POST', `/relay/m${n}`, relayConfig(`m${n}`, owner))))
    if (statuses.some((s) => s !== 201)) throw new Error(`relay creation failed: ${statuses.join(',')}`)
  }
  const withRelays = await engine.rss()
  progress(`opening ${fmtInt(connections)} idle connections`)
  const sockets: WebSocket[] = []
  for (let i = 0; i < connections; i += 100) {
    const batch = await Promise.all(Array.from({ length: Math.min(100, connections - i) }, (_, j) => connect(engine.port, `m${(i + j) % relays}.localhost`)))
    for (const c of batch) {
      await c.authed
      sockets.push(c.ws)
    }
  }
  const withConns = await engine.rss()
  for (const ws of sockets) ws.terminate()
  await engine.stop()
  fs.rmSync(dataDir, { recursive: true, force: true })
  const mib = (b: number) => `${(b / 1048576).toFixed(0)} MiB`
  const pass = withConns < 500 * 1048576
  return {
    pass,
    rows: [
      ['engine idle', mib(idle), '', ''],
      [`${fmtInt(relays)} relays`, mib(withRelays), '', ''],
      [`+ ${fmtInt(connections)} idle connections`, mib(withConns), '', `${verdict(pass)} (< 500 MiB)`],
    ],
  }
}

/**
 * Side by side with the peer (@nostr-relay/core + @nostr-relay/event-repository-sqlite, `bench/peer-relay.ts`):
 * 1. ingest: the same pre-signed kind-1 events over the same 20 connections (64 in flight each) into a fresh engine
 *    and a fresh peer, two rounds with fresh events, best of each; targets ≥ 70% of the verification rate measured
 *    here and ahead of the peer;
 * 2. REQ: both stores bulk-loaded with the same 1,000,000 events (batch by batch from one generator), the same REQs
 *    timed on each; target p50 < 10 ms and ahead of the peer. The peer caches each filter's result for 1 s by
 *    default, which a loop of identical REQs would mostly hit; the comparison runs it with that cache off (a store
 *    against a store, like ours), and its default is timed too, on the first filter, for the record.
 */
async function peer(scale: number): Promise<{ rows: string[][]; pass: boolean }> {
  const total = Math.max(2000, Math.round(40_000 * scale))
  const authors = Array.from({ length: CONNECTIONS }, () => generateSecretKey())
  const perConn = Math.ceil(total / CONNECTIONS)
  const best = { ours: { rate: 0, refused: 0 }, peer: { rate: 0, refused: 0 } }
  let verifyRate = 0
  for (let round = 0; round < 2; round++) {
    progress(`signing ${fmtInt(perConn * CONNECTIONS)} kind-1 events (round ${round + 1} of 2)`)
    const frames = ingestFrames('plain', authors, perConn)
    if (round === 0) {
      progress('measuring the single-core verification rate')
      verifyRate = verificationRate(frames.flat().slice(0, 4000).map((f) => JSON.parse(f)[1] as NostrEvent))
    }
    const ours = await ingestRun('plain', authors, frames)
    const theirs = await peerIngestRun(frames)
    progress(`round ${round + 1}: engine ${fmtInt(ours.rate)}/s, peer ${fmtInt(theirs.rate)}/s`)
    best.ours = { rate: Math.max(best.ours.rate, ours.rate), refused: best.ours.refused + ours.refused }
    best.peer = { rate: Math.max(best.peer.rate, theirs.rate), refused: best.peer.refused + theirs.refused }
  }
  const ratio = best.ours.rate / verifyRate
  const ingestPass = ratio >= 0.7 && best.ours.rate > best.peer.rate && best.ours.refused === 0
  const rows: string[][] = [
    ['raw verification (1 core, wasm)', `${fmtInt(verifyRate)}/s`, '', ''],
    ['engine ingest kind 1 (20 conns)', `${fmtInt(best.ours.rate)}/s`, `${(ratio * 100).toFixed(0)}% of verify`, `${best.ours.refused} refused`],
    ['peer ingest kind 1 (20 conns)', `${fmtInt(best.peer.rate)}/s`, `${((best.peer.rate / verifyRate) * 100).toFixed(0)}% of verify`, `${best.peer.refused} refused`],
    ['engine / peer ingest', fmtRatio(best.ours.rate / best.peer.rate), '', `${verdict(ingestPass)} (≥ 70% of verify, ahead)`],
  ]

  const reqTotal = Math.max(20_000, Math.round(1_000_000 * scale))
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'caravel-bench-peer-req-'))
  const peerFile = path.join(dataDir, 'peer.sqlite')
  const robot = generateSecretKey()
  const reader = generateSecretKey()
  let engine = await startEngineProcess(dataDir, await freePort(), getPublicKey(robot))
  const port = engine.port
  const status = await apiCall(port, robot, 'POST', '/relay/big', relayConfig('big', getPublicKey(reader)))
  if (status !== 201) throw new Error(`relay creation failed: ${status}`)
  await engine.stop()
  progress(`loading the same ${fmtInt(reqTotal)} events into the engine's relay and the peer's database`)
  const t0 = nowNs()
  const store = new RelayStore(relayDbFile(dataDir, 'big'))
  store.db.pragma('synchronous = OFF')
  const loader = await openPeerLoader(peerFile)
  const bulkAuthors = bulkEvents(reqTotal, [(events) => putAll(store, events), (events) => loader.put(events)])
  store.close()
  await loader.close()
  progress(`loaded in ${fmtDuration(nowNs() - t0)}`)

  engine = await startEngineProcess(dataDir, port, getPublicKey(robot))
  const ourConn = await connect(port, 'big.localhost', reader)
  await ourConn.authed
  let peerRelay = await startPeerProcess(peerFile, 0)
  const peerWs = await connectPlain(peerRelay.port)
  let reqPass = true
  let firstPeerMedian = 0
  for (const [n, { label, filter }] of reqFilters(bulkAuthors).entries()) {
    const o = await timeReq(ourConn.ws, () => filter)
    const p = await timeReq(peerWs, () => filter)
    const where = `(${fmtInt(reqTotal)} events)`
    if (n === 0) {
      firstPeerMedian = p.median
      const ok = o.median < 10e6 && o.median < p.median && o.count === 500 && p.count === 500
      reqPass = ok
      rows.push([`engine REQ ${label} ${where}`, fmtDuration(o.median), fmtDuration(o.p99), `${o.count} events`])
      rows.push([`peer REQ ${label} ${where}`, fmtDuration(p.median), fmtDuration(p.p99), `${p.count} events`])
      rows.push(['engine / peer REQ p50', fmtRatio(p.median / o.median), '', `${verdict(ok)} (p50 < 10 ms, ahead)`])
    } else {
      rows.push([`engine REQ ${label} ${where}`, fmtDuration(o.median), fmtDuration(o.p99), `${o.count} events`])
      rows.push([`peer REQ ${label} ${where}`, fmtDuration(p.median), fmtDuration(p.p99), `${p.count} events, ${fmtRatio(p.median / o.median)} engine`])
    }
  }
  ourConn.ws.close()
  peerWs.close()
  await peerRelay.stop()
  // The peer as it ships: identical REQs within 1 s come from its filter-result cache.
  peerRelay = await startPeerProcess(peerFile, 'default')
  const cachedWs = await connectPlain(peerRelay.port)
  const [first] = reqFilters(bulkAuthors)
  const cached = await timeReq(cachedWs, () => first!.filter)
  rows.push([`peer REQ ${first!.label}, its 1 s result cache on`, fmtDuration(cached.median), fmtDuration(cached.p99), `${cached.count} events (uncached ${fmtDuration(firstPeerMedian)})`])
  cachedWs.close()
  await peerRelay.stop()
  await engine.stop()
  fs.rmSync(dataDir, { recursive: true, force: true })
  return { rows, pass: ingestPass && reqPass }
}

/** GET /relay/{id}/export into `file`; the bytes received (also told to `onData` as they come) and X-Event-Count. */
async function downloadExport(port: number, robot: Uint8Array, id: string, file: string, onData: (bytes: number) => void): Promise<{ bytes: number; count: number }> {
  const host = `127.0.0.1:${port}`
  const p = `/relay/${id}/export`
  const auth = nip98Header((t) => finalizeEvent(t, robot), { url: `http://${host}${p}`, method: 'GET' })
  const req = http.request({ host: '127.0.0.1', port, path: p, agent, headers: { host, authorization: auth } })
  req.end()
  const [res] = (await once(req, 'response')) as [http.IncomingMessage]
  if (res.statusCode !== 200) throw new Error(`export failed: ${res.statusCode}`)
  let bytes = 0
  res.on('data', (c: Buffer) => onData((bytes += c.length)))
  await pipeline(res, fs.createWriteStream(file))
  return { bytes, count: Number(res.headers['x-event-count']) }
}

/** POSTs a JSONL file to /relay/{id}/import in requests of at most 1 MiB (whole lines), numbering lines on. */
async function uploadImport(port: number, robot: Uint8Array, id: string, file: string): Promise<{ lines: number; accepted: number; skipped: number; refused: number }> {
  const total = { lines: 0, accepted: 0, skipped: 0, refused: 0 }
  let chunk: string[] = []
  let size = 0
  let firstLine = 1
  const send = async () => {
    const res = await apiRequest(port, robot, 'POST', `/relay/${id}/import?first_line=${firstLine}`, chunk.join('\n'))
    if (res.status !== 200) throw new Error(`import failed: ${res.status} ${res.text}`)
    const summary = JSON.parse(res.text) as { accepted: number; skipped: number; refused: unknown[] }
    total.accepted += summary.accepted
    total.skipped += summary.skipped
    total.refused += summary.refused.length
    firstLine += chunk.length
    chunk = []
    size = 0
  }
  for await (const line of readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity })) {
    const bytes = Buffer.byteLength(line) + 1
    if (size + bytes > MAX_BODY_BYTES) await send()
    chunk.push(line)
    size += bytes
    total.lines++
  }
  if (chunk.length > 0) await send()
  return total
}

/** Signs `total` events in one worker thread per core, handing each batch to `load` in order. */
async function signInWorkers(total: number, base: number, load: (events: NostrEvent[]) => void): Promise<void> {
  const authors = Array.from({ length: 1000 }, () => bytesToHex(generateSecretKey()))
  const workers = await Promise.all(Array.from({ length: Math.max(1, os.cpus().length) }, () => startWorker(new URL('./signer.ts', import.meta.url).href, {})))
  const BATCH = 5000
  const round = (start: number) =>
    Promise.all(
      workers.map((w, i) => {
        const from = Math.min(total, start + i * BATCH)
        return w.call<NostrEvent[]>('sign', { from, to: Math.min(total, from + BATCH), base, authors } satisfies SignBatch)
      }),
    )
  const step = BATCH * workers.length
  let pending = round(0)
  for (let start = 0; start < total; start += step) {
    const signed = await pending
    // The workers sign the next round while this one is loaded.
    if (start + step < total) pending = round(start + step)
    for (const events of signed) load(events)
    progress(`signed and loaded ${fmtInt(Math.min(total, start + step))} of ${fmtInt(total)}`)
  }
  await Promise.all(workers.map((w) => w.stop()))
}

/**
 * Export and import over the management API: a relay with `1,000,000 × scale` really signed events (signed in
 * worker threads, bulk-loaded into its database) is exported with GET /relay/{id}/export while the engine's
 * resident set is sampled every 100 ms (target: flat, peak within 64 MiB of before), then the JSONL is imported
 * into a fresh relay with POST /relay/{id}/import in 1 MiB requests, one after another, against the kind-1 ingest
 * rate (20 connections, as the ingest part) measured in the same run (target ≥ 50%).
 */
async function transfer(scale: number): Promise<{ rows: string[][]; pass: boolean }> {
  const total = Math.max(10_000, Math.round(1_000_000 * scale))
  const ingestAuthors = Array.from({ length: CONNECTIONS }, () => generateSecretKey())
  const ingestTotal = Math.max(4000, Math.round(40_000 * scale))
  progress(`signing ${fmtInt(ingestTotal)} kind-1 events for the ingest baseline`)
  const ingestRate = (await ingestRun('plain', ingestAuthors, ingestFrames('plain', ingestAuthors, Math.ceil(ingestTotal / CONNECTIONS)))).rate

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'caravel-bench-transfer-'))
  const robot = generateSecretKey()
  const owner = getPublicKey(generateSecretKey())
  let engine = await startEngineProcess(dataDir, await freePort(), getPublicKey(robot))
  const port = engine.port
  for (const id of ['source', 'fresh']) {
    const status = await apiCall(port, robot, 'POST', `/relay/${id}`, relayConfig(id, owner))
    if (status !== 201) throw new Error(`relay creation failed: ${status}`)
  }
  await engine.stop()
  const store = new RelayStore(relayDbFile(dataDir, 'source'))
  store.db.pragma('synchronous = OFF')
  await signInWorkers(total, Math.floor(Date.now() / 1000) - total, (events) => putAll(store, events))
  store.close()

  engine = await startEngineProcess(dataDir, port, getPublicKey(robot))
  // Open both relays' databases first, so the baseline includes them.
  for (const id of ['source', 'fresh']) await apiRequest(port, robot, 'GET', `/relay/${id}/stats?days=1`)
  const rssBefore = await engine.rss()
  // The engine's resident set every 100 ms, with how far the download had got.
  const samples: { bytes: number; rss: number }[] = []
  let received = 0
  let sampling = true
  const sampler = (async () => {
    while (sampling) {
      const at = received
      samples.push({ bytes: at, rss: await engine.rss() })
      await sleep(100)
    }
  })()
  progress(`exporting ${fmtInt(total)} events`)
  const file = path.join(dataDir, 'export.jsonl')
  const t0 = nowNs()
  const exported = await downloadExport(port, robot, 'source', file, (bytes) => (received = bytes))
  const exportSeconds = (nowNs() - t0) / 1e9
  sampling = false
  await sampler
  const rssAfter = await engine.rss()
  const peak = Math.max(rssBefore, ...samples.map((s) => s.rss))
  // The peak up to each quarter of the export: flat when it does not grow with the bytes sent.
  const peakBy = (q: number) => Math.max(rssBefore, ...samples.filter((s) => s.bytes <= q * exported.bytes).map((s) => s.rss))

  progress(`importing them into a fresh relay in 1 MiB requests`)
  const t1 = nowNs()
  const imported = await uploadImport(port, robot, 'fresh', file)
  const importSeconds = (nowNs() - t1) / 1e9
  await engine.stop()
  fs.rmSync(dataDir, { recursive: true, force: true })

  const mib = (b: number) => `${(b / 1048576).toFixed(0)} MiB`
  const importRate = imported.lines / importSeconds
  const ratio = importRate / ingestRate
  const flat = peak - rssBefore < 64 * 1048576
  const complete = imported.lines === exported.count && imported.accepted === exported.count && imported.refused === 0
  const importPass = ratio >= 0.5 && complete
  return {
    pass: flat && importPass,
    rows: [
      [`export ${fmtInt(exported.count)} events (${mib(exported.bytes)})`, `${(exported.bytes / 1048576 / exportSeconds).toFixed(1)} MB/s`, `${fmtInt(exported.count / exportSeconds)} events/s`, fmtDuration(exportSeconds * 1e9)],
      ['engine RSS before → peak during export → after', `${mib(rssBefore)} → ${mib(peak)}`, mib(rssAfter), `${verdict(flat)} (peak < before + 64 MiB)`],
      ['engine RSS peak by 25 / 50 / 75 / 100% of the export', [0.25, 0.5, 0.75, 1].map((q) => (peakBy(q) / 1048576).toFixed(0)).join(' / ') + ' MiB', `${samples.length} samples`, ''],
      ['engine ingest kind 1 (20 conns)', `${fmtInt(ingestRate)}/s`, '', ''],
      [
        `import into a fresh relay (1 MiB requests, ${fmtInt(imported.lines)} lines)`,
        `${fmtInt(importRate)}/s`,
        `${(ratio * 100).toFixed(0)}% of ingest`,
        `${verdict(importPass)} (≥ 50%; ${fmtInt(imported.accepted)} accepted, ${imported.skipped} skipped, ${imported.refused} refused)`,
      ],
    ],
  }
}

const PARTS = { ingest, req: reqLatency, memory, groups: groupReqLatency, peer, transfer }
type Part = keyof typeof PARTS

/** Runs the measurements (all, or `parts`) and prints their table; true when every target is met. */
export async function runEngine(scale: number, parts: Part[] = Object.keys(PARTS) as Part[]): Promise<boolean> {
  await initVerifier()
  const results: { rows: string[][]; pass: boolean }[] = []
  for (const part of parts) results.push(await PARTS[part](scale))
  printTable(`Relay engine (scale ${scale})`, ['measure', 'value', 'p99 / ratio', 'verdict'], results.flatMap((r) => r.rows))
  agent.destroy()
  return results.every((r) => r.pass)
}

async function main() {
  const { values } = parseArgs({ options: { scale: { type: 'string', default: '1' }, only: { type: 'string' }, serve: { type: 'boolean' } }, strict: false })
  const scale = Number(values.scale)
  if (!(scale > 0 && scale <= 1)) throw new Error(`--scale must be a fraction in (0, 1], got "${values.scale}"`)
  const parts = typeof values.only === 'string' ? (values.only.split(',') as Part[]) : undefined
  if (parts?.some((p) => !(p in PARTS))) throw new Error(`--only takes ${Object.keys(PARTS).join(', ')} (comma-separated), got "${values.only}"`)
  console.log(`relay engine bench  scale ${scale}  node ${process.version}  ${os.cpus().length} cpus  load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}  ${new Date().toISOString()}`)
  const pass = await runEngine(scale, parts)
  console.log(`\nrelay engine: ${pass ? 'PASS' : 'FAIL'}`)
}

// Run as a script (not when `bench/run.ts` imports it, nor in the forked engine process).
if (!process.argv.includes('--serve') && process.argv[1] !== undefined && path.resolve(process.argv[1]) === SELF) await main()
