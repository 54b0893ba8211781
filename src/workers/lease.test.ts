import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../test/helpers/clock.js'
import { testDatabaseEnv } from '../../test/helpers/test-database.js'
import { loadConfig } from '../config.js'
import type { Database } from '../db/database.js'
import { migrate } from '../db/migrate.js'
import { openDatabase } from '../db/open.js'
import { Lease, LeaseStore } from './lease.js'

let dir: string
let db: Database

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'caravel-lease-'))
  db = openDatabase(loadConfig({ DATA_DIR: dir, ...(await testDatabaseEnv()) }).database)
  await migrate(db)
})
afterAll(async () => {
  await db.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Moves time without firing the renewal timers, so each instance's attempts happen exactly when the test says. */
function at(clock: ManualClock, ms: number): void {
  clock.now = () => ms
}

function instance(holder: string, name: string, clock: ManualClock) {
  const events: string[] = []
  const lease = new Lease(new LeaseStore(db, holder), name, { clock, ttlMs: 30_000, renewEveryMs: 10_000 })
  const started = lease.start({ onAcquired: () => void events.push('acquired'), onLost: () => void events.push('lost') })
  return { lease, events, started }
}

describe('worker leases', () => {
  it('one holder at a time; a dead holder is taken over once its lease has expired', async () => {
    const clock = new ManualClock()
    const a = instance('a', 'sync', clock)
    expect(await a.started).toBe(true)
    const b = instance('b', 'sync', clock)
    expect(await b.started).toBe(false)
    // The holder renews within the TTL: the waiting instance never gets in.
    for (let i = 0; i < 5; i++) {
      at(clock, clock.now() + 10_000)
      expect(await a.lease.attempt()).toBe(true)
      expect(await b.lease.attempt()).toBe(false)
    }
    // `a` dies (no more renewals, no release). Just before expiry `b` still waits; at expiry it takes over.
    await a.lease.stop({ release: false })
    const renewedAt = clock.now()
    at(clock, renewedAt + 29_999)
    expect(await b.lease.attempt()).toBe(false)
    at(clock, renewedAt + 30_000)
    expect(await b.lease.attempt()).toBe(true)
    expect(b.events).toEqual(['acquired'])
    expect(a.events).toEqual(['acquired', 'lost'])
    expect((await new LeaseStore(db, 'x').list()).find((l) => l.name === 'sync')).toMatchObject({ holder: 'b', expires_at: renewedAt + 60_000 })
    await b.lease.stop()
  })

  it('a holder that finds its lease taken stops acting; a clean stop hands over at once', async () => {
    const clock = new ManualClock()
    const a = instance('a', 'billing', clock)
    await a.started
    const b = instance('b', 'billing', clock)
    await b.started
    // `a` was paused past its TTL (a long GC, a frozen VM): `b` took over; `a` learns it at its next renewal.
    at(clock, clock.now() + 31_000)
    expect(await b.lease.attempt()).toBe(true)
    expect(await a.lease.attempt()).toBe(false)
    expect(a.lease.held).toBe(false)
    expect(a.events).toEqual(['acquired', 'lost'])
    await b.lease.stop()
    expect(await a.lease.attempt()).toBe(true)
    expect(a.events).toEqual(['acquired', 'lost', 'acquired'])
    await a.lease.stop()
  })

  it('many instances racing for a free lease: exactly one gets it', async () => {
    const clock = new ManualClock()
    const stores = Array.from({ length: 12 }, (_, i) => new LeaseStore(db, `racer-${i}`))
    const won = await Promise.all(stores.map((s) => s.acquire('race', clock.now(), 30_000)))
    expect(won.filter(Boolean)).toHaveLength(1)
    const again = await Promise.all(stores.map((s) => s.acquire('race', clock.now() + 1000, 30_000)))
    expect(again.map((w, i) => w && i)).toEqual(won.map((w, i) => w && i))
  })

  it('keeps renewing on its own timer', async () => {
    const clock = new ManualClock()
    const a = instance('solo', 'robot', clock)
    await a.started
    expect(clock.pending()).toEqual([10_000])
    clock.advance(10_000)
    await a.lease.attempt()
    await new Promise((resolve) => setImmediate(resolve))
    expect(clock.pending()).toEqual([10_000])
    const row = (await new LeaseStore(db, 'x').list()).find((l) => l.name === 'robot')!
    expect(row.expires_at).toBe(clock.now() + 30_000)
    await a.lease.stop()
    expect(clock.pending()).toEqual([])
    expect((await new LeaseStore(db, 'x').list()).find((l) => l.name === 'robot')!.expires_at).toBe(0)
  })
})
