import type { SqliteDatabase } from '../../src/db/database.js'
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
    const raw = (h.platform.db as SqliteDatabase).rawWriter
    const insert = raw.prepare('INSERT INTO tenant (pubkey, past_due_at, created_at) VALUES (?, ?, ?)')
    insert.run(recent.pubkey, now - 3600, now - 100 * day)
    insert.run(twoDays.pubkey, now - 2 * day, now - 100 * day)
    insert.run(tenDays.pubkey, now - 10 * day, now - 100 * day)
    insert.run(paid.pubkey, null, now - 100 * day)

    expect(await robot.remindPastDue(now)).toBe(2)
    const rows = raw.prepare("SELECT id, recipient, kind, text, status FROM notification WHERE kind = 'past-due' ORDER BY id").all() as Record<string, string>[]
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
    const raw = (h.platform.db as SqliteDatabase).rawWriter
    const insert = raw.prepare('INSERT INTO notification (id, recipient, kind, text, status, created_at, attempts, next_attempt_at, sent_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)')
    raw.transaction(() => {
      for (let i = 0; i < 2000; i++) {
        const pendingRow = i % 20 === 0
        insert.run(`plan:${i}`, 'a'.repeat(64), 'relay-ready', 'x', pendingRow ? 'pending' : 'sent', 1_700_000_000, pendingRow ? 1_700_000_000 + i : null, pendingRow ? null : 1_700_000_000)
      }
    })()
    raw.exec('ANALYZE')
    await robot.outbox.store.listDue(1_800_000_000, undefined, 10)
    const plan = (sql: string) =>
      (raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(sql.match(/\?/g) ?? []).map(() => 1)) as { detail: string }[]).map((r) => r.detail).join('\n')
    const due = h.platform.db.preparedSql.find((s) => s.includes('from "notification"') && s.includes('"next_attempt_at" <= ?'))!
    expect(plan(due)).toMatch(/USING INDEX idx_notification_next_attempt_at/)
    expect(plan(due)).not.toMatch(/TEMP B-TREE/)
    const earlierSync = h.platform.db.preparedSql.find((s) => s.includes('from "activity"') && s.includes('"activity_type" = ?') && s.includes('("created_at", "id") <'))!
    expect(plan(earlierSync)).toMatch(/USING (COVERING )?INDEX idx_activity_resource_type_resource_id_created_at_id/)
    const byId = h.platform.db.preparedSql.find((s) => s.startsWith('select * from "notification" where "id" = ?'))!
    expect(plan(byId)).toMatch(/USING INDEX sqlite_autoindex_notification_1/)
  })
})
