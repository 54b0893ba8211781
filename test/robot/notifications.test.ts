// Which causes record which notification: relay activity (ready, suspended, reactivated) and past-due reminders.
// Delivery is covered by dm.test.ts; here the robot is not started, so notifications are only recorded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ActivityRow } from '../../src/db/schema.js'
import { ActivityNotifier } from '../../src/robot/reactor.js'
import { Robot } from '../../src/robot/robot.js'
import type { Notification } from '../../src/robot/texts.js'
import { NostrUser, robotHarness, type RobotHarness } from './harness.js'

let h: RobotHarness
let recorded: Notification[]
let pending: Promise<void>[]
let unsubscribe: () => void

async function settle(): Promise<Notification[]> {
  while (pending.length > 0) await Promise.all(pending.splice(0))
  return recorded.splice(0)
}

beforeAll(async () => {
  h = await robotHarness({ BILLING_GRACE_DAYS: '7' })
  recorded = []
  pending = []
  const notifier = new ActivityNotifier(h.platform, async (n) => {
    recorded.push(n)
    return true
  })
  unsubscribe = h.platform.bus.subscribe((a: ActivityRow) => void pending.push(notifier.onActivity(a)))
})

afterAll(async () => {
  unsubscribe()
  await h.close()
})

describe('relay activity → notifications', () => {
  it('relay ready on the first sync only, with the relay URL', async () => {
    const { commands } = h.platform
    const tenant = new NostrUser().pubkey
    const relay = await commands.createRelay(tenant, { subdomain: 'first-sync', plan: 'free', info_name: 'First' })
    expect(await settle()).toEqual([])
    await commands.completeRelaySync(relay.id)
    expect(await settle()).toEqual([
      { id: `relay-ready:${relay.id}`, recipient: tenant, kind: 'relay-ready', text: `Your relay "First" is ready: ws://first-sync.localhost:${h.platform.config.engine.port}` },
    ])
    await commands.updateRelay(relay.id, { info_name: 'Again' })
    await commands.completeRelaySync(relay.id)
    expect(await settle()).toEqual([])
  })

  it('a new lease holder replays recent activity its predecessor may not have acted on, recording each notice once', async () => {
    const { commands, db } = h.platform
    const tenant = new NostrUser().pubkey
    // Happened while another instance held the robot's lease (this robot was not listening).
    const relay = await commands.createRelay(tenant, { subdomain: 'replayed', plan: 'free', info_name: 'Replayed' })
    await commands.completeRelaySync(relay.id)
    await settle()
    const robot = new Robot(h.platform)
    const rows = () => db.raw<{ id: string }>('SELECT id FROM notification WHERE recipient = ?', [tenant])
    expect(await rows()).toEqual([])
    await robot.replayRecentActivity()
    expect(await rows()).toEqual([{ id: `relay-ready:${relay.id}` }])
    await robot.replayRecentActivity()
    expect(await rows()).toHaveLength(1)
    // Outside the window: nothing.
    const later = await commands.createRelay(tenant, { subdomain: 'replayed-late', plan: 'free' })
    await commands.completeRelaySync(later.id)
    await settle()
    await robot.replayRecentActivity(-60_000)
    expect(await rows()).toHaveLength(1)
  })

  it('no relay ready for a relay synced while inactive', async () => {
    const { commands } = h.platform
    const relay = await commands.createRelay(new NostrUser().pubkey, { subdomain: 'inactive-sync', plan: 'free' })
    await commands.deactivateRelay(relay.id)
    await commands.completeRelaySync(relay.id)
    expect(await settle()).toEqual([])
  })

  it('relay suspended on mark_relay_delinquent, reactivated only when a payment brought it back', async () => {
    const { commands } = h.platform
    const tenant = new NostrUser().pubkey
    const relay = await commands.createRelay(tenant, { subdomain: 'suspended', plan: 'free' })
    await settle()
    await commands.markRelayDelinquent(relay.id)
    const [suspended] = await settle()
    const [delinquentActivity] = await h.platform.queries.listActivityForRelay(relay.id, 1)
    expect(suspended).toEqual({
      id: `suspended:${relay.id}:${delinquentActivity!.id}`,
      recipient: tenant,
      kind: 'relay-suspended',
      text: `Your relay ws://suspended.localhost:${h.platform.config.engine.port} is suspended for non-payment. Paying the open invoice brings it back: https://app.caravel.example`,
    })

    // An admin forcing it back is not a payment: no DM.
    await commands.activateRelay(relay.id, { byAdmin: true })
    expect(await settle()).toEqual([])
    await commands.markRelayDelinquent(relay.id)
    await settle()

    // Billing's reactivation on payment.
    await commands.write(async (tx, record) => {
      const current = (await tx.first(tx.q.selectFrom('relay').selectAll().where('id', '=', relay.id)))!
      await commands.changeStatusIn(tx, record, current, 'active', 'activate_relay', 'payment received')
    })
    const [reactivated] = await settle()
    const [activation] = await h.platform.queries.listActivityForRelay(relay.id, 1)
    expect(reactivated).toMatchObject({ id: `reactivated:${relay.id}:${activation!.id}`, recipient: tenant, kind: 'relay-reactivated' })
    expect(reactivated!.text).toBe(`Payment received: your relay ws://suspended.localhost:${h.platform.config.engine.port} is active again.`)
  })
})

describe('past-due reminders', () => {
  it('one a day per tenant past due for a day or more, saying when relays will be (or are) suspended', async () => {
    const robot = new Robot(h.platform, { remindEveryMs: 0 })
    const now = Date.UTC(2026, 4, 10, 12) / 1000
    const day = 86_400
    const [recent, twoDays, tenDays, paid] = [new NostrUser(), new NostrUser(), new NostrUser(), new NostrUser()]
    const db = h.platform.db
    await db.raw('INSERT INTO tenant (pubkey, past_due_at, created_at) VALUES (?, ?, ?), (?, ?, ?), (?, ?, ?), (?, ?, ?)', [
      recent.pubkey, now - 3600, now - 100 * day,
      twoDays.pubkey, now - 2 * day, now - 100 * day,
      tenDays.pubkey, now - 10 * day, now - 100 * day,
      paid.pubkey, null, now - 100 * day,
    ])

    expect(await robot.remindPastDue(now)).toBe(2)
    const rows = await db.raw<Record<string, string>>("SELECT id, recipient, kind, text, status FROM notification WHERE kind = 'past-due' ORDER BY id")
    expect(rows.map((r) => r.id).sort()).toEqual([`past-due:${tenDays.pubkey}:2026-05-10`, `past-due:${twoDays.pubkey}:2026-05-10`].sort())
    const text = (pubkey: string) => rows.find((r) => r.recipient === pubkey)!.text
    expect(text(twoDays.pubkey)).toBe(
      'Reminder: your Caravel payment has been past due since 2026-05-08. Your paid relays will be suspended on 2026-05-15 unless it is paid: https://app.caravel.example',
    )
    expect(text(tenDays.pubkey)).toContain('stay suspended until it is paid')
    expect(rows.every((r) => r.status === 'pending')).toBe(true)

    expect(await robot.remindPastDue(now + 3600)).toBe(0)
    expect(await robot.remindPastDue(now + day)).toBe(3)
  })
})

describe('query plans of the robot’s statements', () => {
  it('the retry walk uses the partial next-attempt index and the relay-ready check the activity index, without sorting', async () => {
    const robot = new Robot(h.platform, { remindEveryMs: 0 })
    const db = h.platform.db
    const rows = Array.from({ length: 2000 }, (_, i) => {
      const pendingRow = i % 20 === 0
      return [`plan:${i}`, 'a'.repeat(64), 'relay-ready', 'x', pendingRow ? 'pending' : 'sent', 1_700_000_000, pendingRow ? 1_700_000_000 + i : null, pendingRow ? null : 1_700_000_000]
    })
    await db.raw(
      `INSERT INTO notification (id, recipient, kind, text, status, created_at, attempts, next_attempt_at, sent_at) VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, 0, ?, ?)').join(', ')}`,
      rows.flat(),
    )
    const activity = Array.from({ length: 2000 }, (_, i) => [`plan-a${i}`, 'a'.repeat(64), 1_700_000_000 + i, 'update_relay', 'relay', `r${i % 200}`])
    await db.raw(
      `INSERT INTO activity (id, tenant, created_at, activity_type, resource_type, resource_id) VALUES ${activity.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}`,
      activity.flat(),
    )
    await db.execScript('ANALYZE')
    await robot.outbox.store.listDue(1_800_000_000, undefined, 10)
    // The same checks on either engine: the named index is used, and nothing is scanned whole or sorted.
    const plan = async (sql: string) => (await db.explain(sql, (sql.match(/\?|\$\d+/g) ?? []).map(() => '1'))).join('\n')
    const noScanNoSort = /TEMP B-TREE|\bSort\b|Seq Scan|^SCAN notification/m
    const due = db.preparedSql.find((s) => s.includes('from "notification"') && s.includes('"next_attempt_at" <='))!
    expect(await plan(due)).toContain('idx_notification_next_attempt_at')
    expect(await plan(due)).not.toMatch(noScanNoSort)
    const earlierSync = db.preparedSql.find((s) => s.includes('from "activity"') && s.includes('"activity_type" =') && s.includes('("created_at", "id") <'))!
    expect(await plan(earlierSync)).toContain('idx_activity_resource_type_resource_id_created_at_id')
    const byId = db.preparedSql.find((s) => s.startsWith('select * from "notification" where "id" ='))!
    expect(await plan(byId)).toMatch(db.kind === 'sqlite' ? /USING INDEX sqlite_autoindex_notification_1/ : /notification_pkey/)
  })
})
