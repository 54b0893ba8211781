// Test helpers for the relay engine: a started engine on an ephemeral port, signed NIP-98 management calls
// over real HTTP with an explicit Host header, nostr-tools relays over real WebSockets and a raw ws client.
import dns from 'node:dns'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import WebSocket from 'ws'
import { afterAll, beforeAll } from 'vitest'
import { finalizeEvent, generateSecretKey, getPublicKey, type EventTemplate, type NostrEvent } from 'nostr-tools/pure'
import { Relay, useWebSocketImplementation } from 'nostr-tools/relay'
import type { Filter } from 'nostr-tools/filter'
import { bytesToHex } from 'nostr-tools/utils'
import { createLogger } from '../../src/log.js'
import { nip98Header } from '../../src/nostr/nip98.js'
import { startEngine, type EngineHandle } from '../../src/engine/index.js'

/** Resolves every `*.localhost` name to 127.0.0.1, so relay hosts like `a.localhost` reach the engine. */
const localLookup: typeof dns.lookup = ((hostname: string, options: unknown, callback: unknown) => {
  const cb = (typeof options === 'function' ? options : callback) as (...args: unknown[]) => void
  const opts = (typeof options === 'object' && options !== null ? options : {}) as { all?: boolean }
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) {
    if (opts.all) return cb(null, [{ address: '127.0.0.1', family: 4 }])
    return cb(null, '127.0.0.1', 4)
  }
  return (dns.lookup as (...args: unknown[]) => void)(hostname, options, callback)
}) as typeof dns.lookup

/** `ws` with local name resolution; the Host header stays the relay's host. */
export class LocalWebSocket extends WebSocket {
  constructor(url: string | URL, protocols?: string | string[], options?: WebSocket.ClientOptions) {
    super(url, protocols, { ...options, lookup: localLookup } as WebSocket.ClientOptions)
  }
}
useWebSocketImplementation(LocalWebSocket)

export const silentLogger = () => createLogger({ level: 'silent' })

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'caravel-engine-'))
}

export interface Keys {
  sk: Uint8Array
  pk: string
  secretHex: string
}

export function keys(): Keys {
  const sk = generateSecretKey()
  return { sk, pk: getPublicKey(sk), secretHex: bytesToHex(sk) }
}

export const sign = (k: Keys, template: Partial<EventTemplate> & { kind: number }): NostrEvent =>
  finalizeEvent({ created_at: Math.floor(Date.now() / 1000), tags: [], content: '', ...template }, k.sk)

export interface HttpResponse {
  status: number
  headers: http.IncomingHttpHeaders
  text: string
  json: () => any
}

export function httpRequest(
  port: number,
  opts: { method?: string; path?: string; host: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: opts.method ?? 'GET',
        path: opts.path ?? '/',
        headers: { ...opts.headers, host: opts.host },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) })
        })
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    if (opts.body !== undefined) req.write(opts.body)
    req.end()
  })
}

export interface TestEngine {
  handle: EngineHandle
  port: number
  dataDir: string
  apiHost: string
  robot: Keys
  /** A signed management API call (fresh NIP-98 token each time). */
  api(method: string, path: string, body?: unknown, opts?: { signer?: Keys; createdAt?: number; noPayload?: boolean; rawBody?: string }): Promise<HttpResponse>
  /** ws://<host>:<port> */
  url(host: string): string
  close(): Promise<void>
  restart(): Promise<void>
}

/**
 * One engine for a test file: started before its tests (`beforeAll`), closed after them (`afterAll`). The value
 * stands for that engine inside tests and hooks; touching it earlier throws.
 */
export function suiteEngine(): TestEngine {
  let te: TestEngine | undefined
  beforeAll(async () => {
    te = await startTestEngine()
  })
  afterAll(async () => {
    await te?.close()
  })
  return new Proxy({} as TestEngine, {
    get(_target, key) {
      if (!te) throw new Error('the suite engine starts in beforeAll; use it inside tests and hooks')
      const value: unknown = Reflect.get(te, key)
      return typeof value === 'function' ? value.bind(te) : value
    },
  })
}

export async function startTestEngine(dataDir = tempDir(), robot = keys(), options: { maxOpenRelays?: number } = {}): Promise<TestEngine> {
  const start = (port: number) =>
    startEngine({
      port,
      listenHost: '127.0.0.1',
      apiHost: `127.0.0.1:${port}`,
      apiWhitelist: [robot.pk],
      dataDir,
      logger: silentLogger(),
      maxOpenRelays: options.maxOpenRelays,
    })
  // Port 0 with API host 127.0.0.1:0: the engine names the bound port, as the platform's tests may do.
  let handle = await start(0)
  const port = handle.port
  const apiHost = handle.apiHost
  const te: TestEngine = {
    handle,
    port,
    dataDir,
    apiHost,
    robot,
    async api(method, p, body, opts = {}) {
      const raw = opts.rawBody ?? (body === undefined ? undefined : JSON.stringify(body))
      const signer = opts.signer ?? robot
      const auth = nip98Header((t) => finalizeEvent(t, signer.sk), {
        url: `http://${apiHost}${p}`,
        method,
        body: opts.noPayload ? undefined : raw,
        createdAt: opts.createdAt,
      })
      return httpRequest(port, {
        method,
        path: p,
        host: apiHost,
        headers: { authorization: auth, ...(raw !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: raw,
      })
    },
    url: (host) => `ws://${host}:${port}`,
    close: () => te.handle.close(),
    async restart() {
      await te.handle.close()
      handle = await start(port)
      te.handle = handle
    },
  }
  return te
}

export interface RelaySetup {
  id: string
  host: string
  self: Keys
  owner: Keys
  config: Record<string, any>
}

let counter = 0

/** A fresh relay config (unique id, host, schema, keys); `extra` is merged at the top level. */
export function relaySetup(extra: Record<string, any> = {}, name?: string): RelaySetup {
  counter++
  const n = name ?? `r${process.pid}x${counter}`
  const self = keys()
  const owner = keys()
  const config = {
    host: `${n}.localhost`,
    schema: n.replace(/[^a-z0-9_]/g, '_'),
    secret: self.secretHex,
    info: { name: `Relay ${n}`, pubkey: owner.pk, description: '', icon: '' },
    ...extra,
  }
  return { id: `id-${n}`, host: config.host, self, owner, config }
}

export async function createRelay(te: TestEngine, extra: Record<string, any> = {}): Promise<RelaySetup> {
  const setup = relaySetup(extra)
  const res = await te.api('POST', `/relay/${setup.id}`, setup.config)
  if (res.status !== 201) throw new Error(`create relay failed: ${res.status} ${res.text}`)
  return setup
}

/** A nostr-tools relay connection that answers the AUTH challenge with `k` (automatic AUTH). */
export async function authedRelay(url: string, k: Keys): Promise<Relay> {
  const relay = new Relay(url)
  let challenged!: () => void
  const seen = new Promise<void>((resolve) => (challenged = resolve))
  const signer = async (t: EventTemplate) => {
    challenged()
    return finalizeEvent(t, k.sk)
  }
  relay.onauth = signer
  relay.onnotice = () => {}
  await relay.connect()
  await seen
  await relay.auth(signer)
  return relay
}

export async function plainRelay(url: string): Promise<Relay> {
  const relay = new Relay(url)
  relay.onnotice = () => {}
  await relay.connect()
  return relay
}

/** Stored events for filters, resolving at EOSE; rejects with the CLOSED reason. */
export function query(relay: Relay, filters: Filter[]): Promise<NostrEvent[]> {
  return new Promise((resolve, reject) => {
    const events: NostrEvent[] = []
    const sub = relay.subscribe(filters, {
      onevent: (e) => events.push(e),
      oneose: () => {
        resolve(events)
        sub.close()
      },
      onclose: (reason) => reject(new Error(reason)),
      eoseTimeout: 20_000,
    })
  })
}

/** Resolves to the publish outcome: `ok:<reason>` or `refused:<reason>`. */
export async function publish(relay: Relay, event: NostrEvent): Promise<string> {
  try {
    return `ok:${await relay.publish(event)}`
  } catch (err) {
    return `refused:${(err as Error).message}`
  }
}

/** A raw WebSocket client that queues every message for inspection. */
export class RawClient {
  readonly ws: WebSocket
  private readonly queue: any[] = []
  private waiters: { match: (m: any) => boolean; resolve: (m: any) => void }[] = []
  readonly closed: Promise<{ code: number; reason: string }>
  challenge = ''

  private constructor(url: string) {
    this.ws = new LocalWebSocket(url)
    this.ws.on('message', (data) => {
      const msg = JSON.parse(data.toString())
      if (msg[0] === 'AUTH') this.challenge = msg[1]
      const i = this.waiters.findIndex((w) => w.match(msg))
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(msg)
      else this.queue.push(msg)
    })
    this.closed = new Promise((resolve) => this.ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })))
  }

  static async open(url: string): Promise<RawClient> {
    const c = new RawClient(url)
    await new Promise<void>((resolve, reject) => {
      c.ws.once('open', () => resolve())
      c.ws.once('error', reject)
      c.ws.once('unexpected-response', (_req, res) => reject(new Error(`unexpected response ${res.statusCode}`)))
    })
    await c.next((m) => m[0] === 'AUTH')
    return c
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg))
  }

  next(match: (m: any) => boolean = () => true): Promise<any> {
    const i = this.queue.findIndex(match)
    if (i >= 0) return Promise.resolve(this.queue.splice(i, 1)[0])
    return new Promise((resolve) => this.waiters.push({ match, resolve }))
  }

  async auth(k: Keys, host: string): Promise<any> {
    const evt = sign(k, { kind: 22242, tags: [['relay', `ws://${host}`], ['challenge', this.challenge]] })
    this.send(['AUTH', evt])
    return this.next((m) => m[0] === 'OK' && m[1] === evt.id)
  }

  async publish(evt: NostrEvent): Promise<any> {
    this.send(['EVENT', evt])
    return this.next((m) => m[0] === 'OK' && m[1] === evt.id)
  }

  /** Sends REQ and collects EVENTs until EOSE or CLOSED. */
  async req(subId: string, ...filters: unknown[]): Promise<{ events: any[]; end: any }> {
    this.send(['REQ', subId, ...filters])
    const events: any[] = []
    for (;;) {
      const m = await this.next((x) => x[1] === subId && (x[0] === 'EVENT' || x[0] === 'EOSE' || x[0] === 'CLOSED'))
      if (m[0] === 'EVENT') events.push(m[2])
      else return { events, end: m }
    }
  }

  close(): void {
    this.ws.close()
  }
}

/** Makes `k` a member of the relay through the owner's NIP-86-free path: allow via a public join. */
export async function joinWithClaim(url: string, k: Keys, claim?: string): Promise<string> {
  const relay = await authedRelay(url, k)
  try {
    return await publish(relay, sign(k, { kind: 28934, tags: claim ? [['claim', claim]] : [] }))
  } finally {
    relay.close()
  }
}

/** A signed NIP-86 call on a relay host (`u` = https://<host>, payload hashed). */
export function nip86(
  te: TestEngine,
  host: string,
  signer: Keys,
  method: string,
  params: unknown[],
  opts: { noPayload?: boolean; url?: string } = {},
): Promise<HttpResponse> {
  const body = JSON.stringify({ method, params })
  const auth = nip98Header((t) => finalizeEvent(t, signer.sk), {
    url: opts.url ?? `https://${host}`,
    method: 'POST',
    body: opts.noPayload ? undefined : body,
  })
  return httpRequest(te.port, {
    method: 'POST',
    host,
    headers: { authorization: auth, 'content-type': 'application/nostr+json+rpc' },
    body,
  })
}

/** A NIP-29 group event: `h` = group first, then `tags`. */
export const groupEvent = (k: Keys, kind: number, group: string, tags: string[][] = [], content = ''): NostrEvent =>
  sign(k, { kind, tags: [['h', group], ...tags], content })

/** An authenticated connection of `k` after joining the relay (public join or `claim`); the join must succeed. */
export async function memberRelay(url: string, k: Keys, claim?: string): Promise<Relay> {
  const relay = await authedRelay(url, k)
  const joined = await publish(relay, sign(k, { kind: 28934, tags: claim ? [['claim', claim]] : [] }))
  if (!joined.startsWith('ok:')) throw new Error(`join failed: ${joined}`)
  return relay
}

/** The `p` values of an event (39001/39002 lists, 9000/9001 targets). */
export const pTagsOf = (e: NostrEvent | undefined): string[] => (e ? e.tags.filter((t) => t[0] === 'p').map((t) => t[1]!) : [])
