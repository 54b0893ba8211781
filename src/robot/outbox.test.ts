import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { pino } from 'pino'
import { SqliteDatabase } from '../db/database.js'
import { migrate } from '../db/migrate.js'
import { ManualClock } from '../../test/helpers/clock.js'
import type { DeliveryOutcome } from './direct-message.js'
import { NotificationOutbox } from './outbox.js'
import type { Notification } from './texts.js'

let dir: string
let db: SqliteDatabase
let clock: ManualClock
let outcomes: DeliveryOutcome[]
let calls: { recipient: string; text: string }[]
const outboxes: NotificationOutbox[] = []

const deliver = async (recipient: string, text: string): Promise<DeliveryOutcome> => {
  calls.push({ recipient, text })
  return outcomes.shift() ?? { status: 'sent', relays: ['wss://dm.example/'] }
}
const fail = (error = 'wss://dm.example/: error: down'): DeliveryOutcome => ({ status: 'failed', error, permanent: false })

function open(maxAttempts = 4): NotificationOutbox {
  const outbox = new NotificationOutbox(db, deliver, pino({ level: 'silent' }), { clock, maxAttempts, sweepEveryMs: 0 })
  outboxes.push(outbox)
  return outbox
}

const note = (id = 'relay-ready:r1'): Notification => ({ id, recipient: 'a'.repeat(64), kind: 'relay-ready', text: 'Your relay is ready: wss://r1.example' })

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'caravel-outbox-'))
  db = new SqliteDatabase(join(dir, 'db.sqlite'))
  await migrate(db)
  clock = new ManualClock()
  outcomes = []
  calls = []
})

afterEach(async () => {
  for (const o of outboxes.splice(0)) o.stop()
  await db.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('NotificationOutbox', () => {
  it('records an id once: a duplicate (concurrent or later) is a no-op and delivers nothing more', async () => {
    const outbox = open()
    await outbox.start()
    expect(await Promise.all([outbox.notify(note()), outbox.notify(note())])).toEqual([true, false])
    await outbox.idle()
    expect(await outbox.notify(note())).toBe(false)
    await outbox.idle()
    expect(calls).toHaveLength(1)
    expect(await outbox.store.get('relay-ready:r1')).toMatchObject({ status: 'sent', attempts: 1, next_attempt_at: null })
  })

  it('retries a failure with backoff (30 s, then 60 s), keeps the last error, and sends once it recovers', async () => {
    const outbox = open()
    await outbox.start()
    outcomes.push(fail('first'), fail('second'))
    const due = Math.ceil((clock.now() + 30_000) / 1000)
    await outbox.notify(note())
    await outbox.idle()
    expect(await outbox.store.get('relay-ready:r1')).toMatchObject({ status: 'pending', attempts: 1, last_error: 'first', next_attempt_at: due })
    expect(clock.pending()).toEqual([30_000])
    clock.advance(29_999)
    await outbox.idle()
    expect(calls).toHaveLength(1)
    clock.advance(1)
    await outbox.idle()
    expect(calls).toHaveLength(2)
    expect(clock.pending()).toEqual([60_000])
    clock.advance(60_000)
    await outbox.idle()
    expect(calls).toHaveLength(3)
    const row = await outbox.store.get('relay-ready:r1')
    expect(row).toMatchObject({ status: 'sent', attempts: 3, last_error: 'second', next_attempt_at: null })
    expect(row!.sent_at).toBe(Math.floor(clock.now() / 1000))
    expect(clock.pending()).toEqual([])
  })

  it('gives up after the last attempt', async () => {
    const outbox = open(3)
    await outbox.start()
    outcomes.push(fail('1'), fail('2'), fail('3'), fail('never asked'))
    await outbox.notify(note())
    await outbox.idle()
    for (const ms of [30_000, 60_000, 120_000]) {
      clock.advance(ms)
      await outbox.idle()
    }
    expect(calls).toHaveLength(3)
    expect(await outbox.store.get('relay-ready:r1')).toMatchObject({ status: 'failed', attempts: 3, last_error: '3', next_attempt_at: null })
    expect(clock.pending()).toEqual([])
  })

  it('no DM relays: recorded as no-dm-relays, never retried', async () => {
    const outbox = open()
    await outbox.start()
    outcomes.push({ status: 'no-dm-relays' })
    await outbox.notify(note())
    await outbox.idle()
    expect(await outbox.store.get('relay-ready:r1')).toMatchObject({ status: 'no-dm-relays', last_error: 'no-dm-relays', sent_at: null, next_attempt_at: null })
    expect(clock.pending()).toEqual([])
  })

  it('a permanent failure is not retried', async () => {
    const outbox = open()
    await outbox.start()
    outcomes.push({ status: 'failed', error: 'lookup: no indexer relays configured (ROBOT_INDEXER_RELAYS)', permanent: true })
    await outbox.notify(note())
    await outbox.idle()
    expect(await outbox.store.get('relay-ready:r1')).toMatchObject({ status: 'failed', attempts: 1 })
    expect(clock.pending()).toEqual([])
  })

  it('a restart resumes pending notifications when their backoff allows, and never resends sent ones', async () => {
    const first = open()
    await first.start()
    outcomes.push(fail())
    await first.notify(note('relay-ready:pending'))
    await first.notify(note('relay-ready:sent'))
    await first.idle()
    first.stop()
    expect(calls).toHaveLength(2)
    clock.advance(10_000)
    const second = open()
    await second.start()
    await second.idle()
    expect(calls).toHaveLength(2)
    // Stored in whole seconds, rounded up: due between 20 and 21 s from now.
    const [remaining] = clock.pending()
    expect(remaining).toBeGreaterThanOrEqual(20_000)
    expect(remaining).toBeLessThan(21_000)
    clock.advance(remaining! - 1)
    await second.idle()
    expect(calls).toHaveLength(2)
    clock.advance(1)
    await second.idle()
    expect(calls.map((c) => c.text)).toHaveLength(3)
    expect(await second.store.get('relay-ready:pending')).toMatchObject({ status: 'sent', attempts: 2 })
  })

  it('a notification recorded while stopped is delivered at the next start', async () => {
    const outbox = open()
    await outbox.notify(note())
    expect(calls).toHaveLength(0)
    await outbox.start()
    await outbox.idle()
    expect(calls).toHaveLength(1)
  })
})
