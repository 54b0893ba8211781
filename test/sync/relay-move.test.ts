// A move's claim on a relay, on two in-process engines: relay sync leaves a claimed relay alone, a second move
// is refused, and a claim whose process died (no progress for MOVE_STALL_MS) is undone by the reconcile — the
// half-made copy on the target purged, the relay put back on its engine as it should be — while a live one is not.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { initVerifier } from '../../src/nostr/verify.js'
import { openPlatform, type Platform } from '../../src/platform/platform.js'
import { moveRelay } from '../../src/sync/relay-move.js'
import { engineConfigOf, MOVE_STALL_MS, RelaySync } from '../../src/sync/relay-sync.js'
import { httpRequest, keys, startTestEngine, type TestEngine } from '../engine/helpers.js'
import { testDatabaseEnv } from '../helpers/test-database.js'

let dataDir: string
let a: TestEngine
let b: TestEngine
let platform: Platform
let sync: RelaySync
const robot = keys()
const tenant = '7'.repeat(64)

beforeAll(async () => {
  await initVerifier()
  dataDir = mkdtempSync(join(tmpdir(), 'caravel-move-claim-'))
  a = await startTestEngine(join(dataDir, 'a'), robot)
  b = await startTestEngine(join(dataDir, 'b'), robot)
  const config = loadConfig({
    ...(await testDatabaseEnv()),
    DATA_DIR: dataDir,
    ROBOT_SECRET: robot.secretHex,
    ZOOID_API_URL: `a=http://${a.apiHost},b=http://${b.apiHost}`,
  })
  platform = await openPlatform(config, pino({ level: 'silent' }))
  sync = new RelaySync(platform, { reconcileEveryMs: 0 })
  await sync.start()
})
afterAll(async () => {
  await sync.stop()
  await platform.close()
  await a.close()
  await b.close()
  rmSync(dataDir, { recursive: true, force: true })
})

const nameOn = async (engine: TestEngine, host: string) => {
  const res = await httpRequest(engine.port, { host, headers: { accept: 'application/nostr+json' } })
  return res.status === 200 ? (res.json().name as string) : res.status
}

describe('a move claims its relay', () => {
  it('relay sync skips a claimed relay; a dead claim is undone and the relay synced back on its engine', async () => {
    const relay = await platform.commands.createRelay(tenant, { subdomain: 'claimed', plan: 'free', info_name: 'Before', engine: 'a' })
    await sync.idle()
    expect(await nameOn(a, 'claimed.localhost')).toBe('Before')

    // A move that died after creating the relay on B: its heartbeat is older than the stall limit.
    const stale = Date.now() - MOVE_STALL_MS - 1000
    await platform.commands.startRelayMove(relay.id, 'b', stale)
    const row = (await platform.queries.getRelay(relay.id))!
    await platform.engines.get('b')!.client.createRelay(relay.id, { ...(await engineConfigOf(platform, row)), inactive: true, secret: platform.box.open(row.secret) })
    await expect(platform.commands.startRelayMove(relay.id, 'b', Date.now())).rejects.toMatchObject({ status: 409, code: 'move-in-progress' })
    await expect(moveRelay(platform, sync, relay.id, 'b')).rejects.toMatchObject({ status: 409, code: 'move-in-progress' })

    // Changes wait while the relay is claimed.
    await platform.commands.updateRelay(relay.id, { info_name: 'After' })
    await sync.idle()
    expect(await nameOn(a, 'claimed.localhost')).toBe('Before')
    expect((await platform.queries.getRelay(relay.id))!.synced).toBe(0)

    await sync.reconcile()
    await sync.idle()
    const after = (await platform.queries.getRelay(relay.id))!
    expect(after).toMatchObject({ engine: 'a', move_target: null, move_heartbeat_at: null, synced: 1 })
    expect(await nameOn(a, 'claimed.localhost')).toBe('After')
    await expect(platform.engines.get('b')!.client.exportEvents(relay.id)).rejects.toMatchObject({ status: 404 })
  })

  it('a live claim is left alone by the reconcile', async () => {
    const relay = await platform.commands.createRelay(tenant, { subdomain: 'live-claim', plan: 'free', engine: 'a' })
    await sync.idle()
    const heartbeat = Date.now()
    await platform.commands.startRelayMove(relay.id, 'b', heartbeat)
    await sync.reconcile()
    expect(await platform.queries.getRelay(relay.id)).toMatchObject({ move_target: 'b', move_heartbeat_at: heartbeat })
    // Its owner can still take it back, and only with its own heartbeat.
    expect(await platform.commands.abandonRelayMove(relay.id, 'b', heartbeat - 1)).toBe(false)
    expect(await platform.commands.abandonRelayMove(relay.id, 'b', heartbeat)).toBe(true)
    expect(await platform.queries.getRelay(relay.id)).toMatchObject({ engine: 'a', move_target: null })
  })
})
