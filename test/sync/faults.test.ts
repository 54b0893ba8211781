// Relay sync against a misbehaving engine: a proxy refuses, stalls, answers 500 and cuts the connection
// mid-response. Errors are recorded, retries follow the backoff schedule (time driven by a manual clock),
// and once the engine is healthy every relay converges, created once, with no secret in any PATCH.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bytesToHex } from 'nostr-tools/utils'
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { startEngine, type EngineHandle } from '../../src/engine/index.js'
import { initVerifier } from '../../src/nostr/verify.js'
import { openPlatform, type Platform } from '../../src/platform/platform.js'
import { RelaySync, retryDelayMs } from '../../src/sync/relay-sync.js'
import { httpRequest } from '../engine/helpers.js'
import { ManualClock } from '../helpers/clock.js'
import { FaultProxy } from '../helpers/fault-proxy.js'
import { freePort } from '../helpers/ports.js'
import { testDatabaseEnv } from '../helpers/test-database.js'

let dataDir: string
let engine: EngineHandle
let proxy: FaultProxy
let platform: Platform
let clock: ManualClock
let sync: RelaySync
const tenant = '5'.repeat(64)

beforeAll(async () => {
  await initVerifier()
  dataDir = mkdtempSync(join(tmpdir(), 'caravel-sync-faults-'))
  const robotSecret = bytesToHex(generateSecretKey())
  const enginePort = await freePort()
  proxy = new FaultProxy(enginePort)
  await proxy.start()
  // The platform talks to the proxy; the engine sees the proxy's host in `Host` and in the NIP-98 `u`.
  engine = await startEngine({
    port: enginePort,
    listenHost: '127.0.0.1',
    apiHost: `127.0.0.1:${proxy.port}`,
    apiWhitelist: [getPublicKey(Buffer.from(robotSecret, 'hex'))],
    dataDir: join(dataDir, 'engine'),
    logger: pino({ level: 'silent' }),
  })
  const config = loadConfig({ ...(await testDatabaseEnv()), DATA_DIR: dataDir, ROBOT_SECRET: robotSecret, ZOOID_API_URL: proxy.url, ENGINE_TIMEOUT_MS: '2000' })
  platform = await openPlatform(config, pino({ level: 'silent' }))
  clock = new ManualClock()
  sync = new RelaySync(platform, { clock, reconcileEveryMs: 0 })
  await sync.start()
})
afterAll(async () => {
  sync.stop()
  await platform.close()
  await engine.close()
  await proxy.close()
  rmSync(dataDir, { recursive: true, force: true })
})

const trailingFailures = async (id: string) => {
  const rows = await platform.queries.listActivityForRelay(id, 20)
  let n = 0
  for (const r of rows) {
    if (r.activity_type !== 'fail_relay_sync') break
    n++
  }
  return n
}

describe('relay sync under faults', () => {
  it('records each failure, backs off 30 s doubling, and converges once the engine is healthy', async () => {
    proxy.mode = 'refuse'
    const relay = await platform.commands.createRelay(tenant, { subdomain: 'fault-club', plan: 'free', info_name: 'Faulty' })
    await sync.idle()
    let row = (await platform.queries.getRelay(relay.id))!
    expect(row.synced).toBe(0)
    expect(row.sync_error).toMatch(/^engine unreachable/)
    expect(clock.pending()).toEqual([30_000])

    clock.advance(29_999)
    await sync.idle()
    expect(await trailingFailures(relay.id)).toBe(1)

    proxy.mode = 'error500'
    clock.advance(1)
    await sync.idle()
    expect(await trailingFailures(relay.id)).toBe(2)
    expect((await platform.queries.getRelay(relay.id))!.sync_error).toBe('HTTP 500: upstream exploded')
    expect(clock.pending()).toEqual([60_000])

    proxy.mode = 'stall'
    clock.advance(60_000)
    await sync.idle()
    expect(await trailingFailures(relay.id)).toBe(3)
    expect((await platform.queries.getRelay(relay.id))!.sync_error).toBe('engine unreachable: no answer within 2000 ms')
    expect(clock.pending()).toEqual([120_000])

    // The engine creates the relay, but its answer is cut off: the platform cannot know, and retries.
    proxy.mode = 'cut'
    clock.advance(120_000)
    await sync.idle()
    expect(await trailingFailures(relay.id)).toBe(4)
    expect((await platform.queries.getRelay(relay.id))!.sync_error).toMatch(/cut off|unreachable|terminated/)
    expect(clock.pending()).toEqual([240_000])

    proxy.mode = 'pass'
    clock.advance(240_000)
    await sync.idle()
    row = (await platform.queries.getRelay(relay.id))!
    expect(row).toMatchObject({ synced: 1, sync_error: '' })
    expect(clock.pending()).toEqual([])

    const reached = proxy.seen.filter((r) => r.path === `/relay/${relay.id}`)
    // Once through the cut connection (which created it), once more after healing (409: already there), then a PATCH.
    expect(reached.filter((r) => r.method === 'POST').length).toBeGreaterThanOrEqual(2)
    const patches = reached.filter((r) => r.method === 'PATCH')
    expect(patches.length).toBeGreaterThanOrEqual(1)
    const relaySecret = platform.box.open(row.secret)
    for (const p of patches) {
      expect(JSON.parse(p.body)).not.toHaveProperty('secret')
      expect(p.body).not.toContain(relaySecret)
    }
    const info = await httpRequest(engine.port, { host: 'fault-club.localhost', headers: { accept: 'application/nostr+json' } })
    expect(info.json()).toMatchObject({ name: 'Faulty', pubkey: tenant })
  })

  it('gives up after six attempts until an admin retries, and never re-sends the secret once created', async () => {
    proxy.mode = 'refuse'
    const relay = await platform.commands.createRelay(tenant, { subdomain: 'stubborn-club', plan: 'free' })
    await sync.idle()
    const delays: number[] = []
    for (let attempt = 1; attempt < 6; attempt++) {
      delays.push(clock.pending()[0]!)
      clock.advance(clock.pending()[0]!)
      await sync.idle()
    }
    expect(delays).toEqual([30_000, 60_000, 120_000, 240_000, 480_000])
    expect(await trailingFailures(relay.id)).toBe(6)
    expect(clock.pending()).toEqual([])

    proxy.mode = 'pass'
    const after = await sync.syncNow(relay.id)
    expect(after).toMatchObject({ synced: 1, sync_error: '' })

    // Later changes PATCH without the secret.
    const seenBefore = proxy.seen.length
    await platform.commands.updateRelay(relay.id, { info_name: 'Stubborn' })
    await sync.idle()
    const later = proxy.seen.slice(seenBefore)
    expect(later.map((r) => r.method)).toEqual(['PATCH'])
    expect(JSON.parse(later[0]!.body)).not.toHaveProperty('secret')
    expect(later[0]!.body).not.toContain(platform.box.open(relay.secret))
    expect(JSON.parse(later[0]!.body)).toMatchObject({ info: { name: 'Stubborn', pubkey: tenant }, inactive: false })
  })

  it('caps the backoff at 15 minutes', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => retryDelayMs(n) / 1000)).toEqual([30, 60, 120, 240, 480, 900, 900])
  })
})
