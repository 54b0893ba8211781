// Two platforms (two "instances") in one process on one PostgreSQL database: activity crosses between them only
// once committed, exactly once per instance, and again after a dropped connection (catch-up); signals cross; a
// worker lease keeps relay sync in one instance and hands it over when the holder dies. Starts its own cluster, so
// it runs in the ordinary suite (and is left out of the PostgreSQL run, like test/postgres.test.ts).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bytesToHex } from 'nostr-tools/utils'
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.js'
import type { ActivityRow } from '../src/db/schema.js'
import { initVerifier } from '../src/nostr/verify.js'
import { createApp } from '../src/api/app.js'
import { hashSessionToken } from '../src/api/auth/session.js'
import { openPlatform, type Platform } from '../src/platform/platform.js'
import { RelaySync } from '../src/sync/relay-sync.js'
import { Lease } from '../src/workers/lease.js'
import { ManualClock } from './helpers/clock.js'
import { startPostgres, type TestPostgres } from './helpers/postgres.js'
import { ZooidDouble } from './helpers/zooid-double.js'

let cluster: TestPostgres
let zooid: ZooidDouble
let a: Platform
let b: Platform
const dirs: string[] = []

beforeAll(async () => {
  await initVerifier()
  cluster = await startPostgres()
  const url = await cluster.createDatabase()
  const robotSecret = bytesToHex(generateSecretKey())
  zooid = new ZooidDouble([getPublicKey(Buffer.from(robotSecret, 'hex'))])
  await zooid.start()
  const open = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'caravel-cluster-'))
    dirs.push(dir)
    const platform = await openPlatform(loadConfig({ DATA_DIR: dir, DATABASE_URL: url, ROBOT_SECRET: robotSecret, ZOOID_API_URL: zooid.url }), pino({ level: 'silent' }))
    await platform.joinCluster()
    return platform
  }
  // Both at once: their migrations must not trip over each other.
  ;[a, b] = await Promise.all([open(), open()])
}, 120_000)
afterAll(async () => {
  await a?.close()
  await b?.close()
  await zooid?.close()
  cluster?.stop()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

/** Waits for a condition that another connection makes true (a NOTIFY, a reconnect); fails after `ms`. */
async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

function record(platform: Platform): ActivityRow[] {
  const seen: ActivityRow[] = []
  platform.bus.subscribe((activity) => void seen.push(activity))
  return seen
}

describe('two instances on one PostgreSQL', () => {
  it('delivers committed activity to both instances exactly once, and nothing that rolled back', async () => {
    const onA = record(a)
    const onB = record(b)
    const tenant = 'a1'.repeat(32)
    await expect(
      a.commands.write(async (_tx, activity) => {
        await activity('create_tenant', { tenant: 'f0'.repeat(32) })
        throw new Error('rolled back')
      }),
    ).rejects.toThrow('rolled back')
    const relay = await a.commands.createRelay(tenant, { subdomain: 'cluster-one', plan: 'free' })
    await b.commands.updateRelay(relay.id, { info_name: 'from b' })
    const types = (seen: ActivityRow[]) => seen.filter((x) => x.tenant === tenant).map((x) => x.activity_type)
    await until('both instances to see three activities', () => types(onA).length === 3 && types(onB).length === 3)
    expect(types(onA)).toEqual(['create_tenant', 'create_relay', 'update_relay'])
    expect(types(onB)).toEqual(['create_tenant', 'create_relay', 'update_relay'])
    expect([...onA, ...onB].some((x) => x.tenant === 'f0'.repeat(32))).toBe(false)
    // Rows heard from the other instance are whole rows, as a local publish gives them.
    expect(onB.find((x) => x.activity_type === 'create_relay')).toEqual(onA.find((x) => x.activity_type === 'create_relay'))
  })

  it('catches up on what was committed while its connection was down', async () => {
    const onB = record(b)
    const tenant = 'b2'.repeat(32)
    // Cut B's listening connection server-side (as a failover or a network cut would), write on A while B cannot
    // hear, and let B reconnect.
    const killed = await a.db.raw<{ killed: boolean }>('SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name = ?', [
      `caravel-feed ${b.instance}`.slice(0, 63),
    ])
    expect(killed).toEqual([{ killed: true }])
    await a.commands.ensureTenant(tenant)
    await a.commands.createRelay(tenant, { subdomain: 'cluster-two', plan: 'free' })
    await until('B to catch up', () => onB.filter((x) => x.tenant === tenant).length === 2)
    expect(onB.filter((x) => x.tenant === tenant).map((x) => x.activity_type)).toEqual(['create_tenant', 'create_relay'])
  })

  it('carries signals to the other instance', async () => {
    let heard = 0
    b.bus.onSignal('test-wake', () => heard++)
    a.bus.signal('test-wake')
    await until('the signal to reach B', () => heard === 1)
  })

  it('syncs each relay in the instance holding the lease, and in the other once the holder died', async () => {
    const clock = new ManualClock()
    const lease = (p: Platform) => new Lease(p.leases, 'relay-sync', { clock, ttlMs: 30_000, renewEveryMs: 10_000 })
    const syncA = new RelaySync(a, { reconcileEveryMs: 0, lease: lease(a) })
    const syncB = new RelaySync(b, { reconcileEveryMs: 0, lease: lease(b) })
    await syncA.start()
    await syncB.start()
    try {
      expect([syncA.lease.held, syncB.lease.held]).toEqual([true, false])
      const tenant = 'c3'.repeat(32)
      // Written on B, synced by A: the activity crossed.
      const first = await b.commands.createRelay(tenant, { subdomain: 'cluster-three', plan: 'free' })
      await until('A to sync the relay written on B', async () => (await a.queries.getRelay(first.id))!.synced === 1)
      await syncB.idle()
      // A dies: it stops renewing and never releases. A relay written meanwhile waits, unsynced.
      await syncA.lease.stop({ release: false })
      const second = await b.commands.createRelay(tenant, { subdomain: 'cluster-four', plan: 'free' })
      await syncA.idle()
      await syncB.idle()
      expect((await b.queries.getRelay(second.id))!.synced).toBe(0)
      clock.advance(29_000)
      expect(await syncB.lease.attempt()).toBe(false)
      clock.advance(1_000)
      // Past expiry B takes over: its start-up reconcile syncs what A left.
      expect(await syncB.lease.attempt()).toBe(true)
      await syncB.idle()
      expect((await b.queries.getRelay(second.id))!.synced).toBe(1)
      const posts = (id: string) => zooid.requests.filter((r) => r.method === 'POST' && r.path === `/relay/${id}`).length
      expect([posts(first.id), posts(second.id)]).toEqual([1, 1])
    } finally {
      await syncA.stop()
      await syncB.stop()
    }
  })

  it('drops a session cached on the other instance when it is closed, and sees a new admin at once', async () => {
    const appA = createApp(a)
    const appB = createApp(b)
    const token = 'cluster-session-token'
    const pubkey = 'c3'.repeat(32)
    await a.commands.createSession(hashSessionToken(token), pubkey, 3600)
    const get = (app: ReturnType<typeof createApp>) => app.request(`/api/tenants/${pubkey}/relays`, { headers: { cookie: `caravel_session=${token}` } })
    expect((await get(appB)).status).toBe(200) // B has it cached from now on
    expect((await get(appA)).status).toBe(200)
    // Not yet an admin (B caches that too), then made one on A.
    expect((await appB.request('/api/tenants', { headers: { cookie: `caravel_session=${token}` } })).status).toBe(403)
    await a.commands.addAdmin(pubkey)
    // Well within the caches' 10 s: only the signal can make these true in time.
    await until('B to hear of the new admin', async () => (await appB.request('/api/tenants', { headers: { cookie: `caravel_session=${token}` } })).status === 200, 5000)
    await a.commands.deleteSession(hashSessionToken(token))
    await until('B to drop the closed session', async () => (await get(appB)).status === 401, 5000)
    expect((await get(appA)).status).toBe(401)
    await a.commands.removeAdmin(pubkey)
  })

})
