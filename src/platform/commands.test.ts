import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ActivityRow } from '../db/schema.js'
import { createHarness, type Harness } from '../../test/helpers/platform.js'
import { snapshot } from '../../test/helpers/snapshot.js'

let h: Harness
const pk = (n: number) => n.toString(16).padStart(64, '0')

beforeEach(async () => {
  h = await createHarness()
})
afterEach(() => h.close())

describe('commands and the activity bus', () => {
  it('publishes only after commit: a listener already sees the committed row through the reader', async () => {
    const seen: { activity: ActivityRow; relayVisible: boolean; activityVisible: boolean }[] = []
    h.platform.bus.subscribe(async (activity) => {
      const relay = activity.resource_type === 'relay' ? await h.platform.queries.getRelay(activity.resource_id) : undefined
      const rows = activity.resource_type === 'relay' ? await h.platform.queries.listActivityForRelay(activity.resource_id, 50) : []
      seen.push({ activity, relayVisible: relay !== undefined, activityVisible: rows.some((r) => r.id === activity.id) })
    })
    const relay = await h.platform.commands.createRelay(pk(1), { subdomain: 'bus-check', plan: 'basic' })
    await new Promise((r) => setTimeout(r, 10))
    expect(seen.map((s) => s.activity.activity_type)).toEqual(['create_tenant', 'create_relay'])
    const created = seen[1]!
    expect(created.relayVisible).toBe(true)
    expect(created.activityVisible).toBe(true)
    expect(created.activity).toMatchObject({ resource_id: relay.id, relay_plan: 'basic', relay_status: 'active', tenant: pk(1) })
  })

  it('publishes nothing and writes nothing when the transaction fails', async () => {
    const published: ActivityRow[] = []
    h.platform.bus.subscribe((a) => void published.push(a))
    await h.platform.commands.createRelay(pk(2), { subdomain: 'taken-name', plan: 'free' })
    published.length = 0
    const before = await snapshot(h.platform.db)
    // A new tenant whose relay insert fails: its create_tenant was recorded inside the failed transaction.
    await expect(h.platform.commands.createRelay(pk(3), { subdomain: 'taken-name', plan: 'free' })).rejects.toMatchObject({
      code: 'subdomain-exists',
    })
    await expect(
      h.platform.commands.write(async (_tx, record) => {
        await record('update_tenant', { tenant: pk(2) })
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    expect(published).toEqual([])
    expect(await snapshot(h.platform.db)).toBe(before)
    expect(await h.platform.queries.getTenant(pk(3))).toBeUndefined()
  })

  it('creates a tenant once when asked twice at the same time', async () => {
    const published: ActivityRow[] = []
    h.platform.bus.subscribe((a) => void published.push(a))
    const results = await Promise.all([h.platform.commands.ensureTenant(pk(4)), h.platform.commands.ensureTenant(pk(4))])
    expect(results.map((r) => r.created).sort()).toEqual([false, true])
    expect(published.filter((a) => a.activity_type === 'create_tenant')).toHaveLength(1)
    const [count] = await h.platform.db.raw('SELECT COUNT(*) AS n FROM tenant WHERE pubkey = ?', [pk(4)])
    expect(count).toEqual({ n: 1 })
  })

  it('keeps serving reads while a transaction is open, without showing its uncommitted rows', async () => {
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const writing = h.platform.commands.write(async (tx, record) => {
      await tx.run(tx.q.insertInto('tenant').values({ pubkey: pk(5), created_at: 1 }))
      await record('create_tenant', { tenant: pk(5) })
      await gate
    })
    await new Promise((r) => setTimeout(r, 5))
    expect(await h.platform.queries.getTenant(pk(5))).toBeUndefined()
    release()
    await writing
    expect(await h.platform.queries.getTenant(pk(5))).toBeDefined()
  })
})
