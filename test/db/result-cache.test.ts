// The SQLite result cache of hot read queries (`preparedPage(…, { cacheEntries })`): repeated reads are answered
// from memory only while nothing has been committed since: by this process (seen at once) or by another process
// on the same file (seen from the next event-loop turn).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { SqliteDatabase } from '../../src/db/database.js'
import { openPlatform, type Platform } from '../../src/platform/platform.js'

describe('SQLite result cache', () => {
  let dir: string
  let platform: Platform
  const tenant = getPublicKey(generateSecretKey())

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'caravel-cache-'))
    platform = await openPlatform(loadConfig({ DATA_DIR: dir }), pino({ level: 'silent' }))
    await platform.commands.ensureTenant(tenant)
    await platform.commands.createRelay(tenant, { subdomain: 'cache-a', plan: 'free' })
  })
  afterEach(async () => {
    await platform.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const list = () => platform.queries.listRelayViewsForTenant(tenant, '', 51)

  it('answers a repeated read from memory, with frozen rows', async () => {
    expect(platform.db).toBeInstanceOf(SqliteDatabase)
    const first = await list()
    const second = await list()
    expect(second).toBe(first)
    expect(Object.isFrozen(first)).toBe(true)
    expect(Object.isFrozen(first[0])).toBe(true)
    expect(() => {
      ;(first[0] as { plan: string }).plan = 'growth'
    }).toThrow(TypeError)
    // Other arguments are other entries.
    expect(await platform.queries.listRelayViewsForTenant(tenant, '', 2)).not.toBe(first)
  })

  it("sees this process's commits at once", async () => {
    const before = await list()
    await platform.commands.createRelay(tenant, { subdomain: 'cache-b', plan: 'free' })
    const after = await list()
    expect(after.map((r) => r.subdomain).sort()).toEqual(['cache-a', 'cache-b'])
    // Any commit counts, even one that does not touch relays: the cache never guesses what a write changed.
    await platform.commands.ensureTenant(getPublicKey(generateSecretKey()))
    const again = await list()
    expect(again).not.toBe(after)
    expect(again).toEqual(after)
    expect(before).toHaveLength(1)
  })

  it("sees another process's commits from the next event-loop turn", async () => {
    const before = await list()
    const other = new BetterSqlite3((platform.db as SqliteDatabase).path)
    try {
      other.prepare('UPDATE relay SET info_name = ? WHERE subdomain = ?').run('Renamed elsewhere', 'cache-a')
    } finally {
      other.close()
    }
    await new Promise((resolve) => setImmediate(resolve))
    const after = await list()
    expect(before[0]!.info_name).not.toBe('Renamed elsewhere')
    expect(after[0]!.info_name).toBe('Renamed elsewhere')
  })

  it('keeps at most the configured number of results', async () => {
    const db = platform.db as SqliteDatabase
    const page = db.preparedPage<[subdomain: string], { id: string }>(
      (q, p, limit) => q.selectFrom('relay').select('id').where('subdomain', '=', p(0)).limit(limit),
      { cacheEntries: 2 },
    )
    const a = await page(1, 'cache-a')
    const x = await page(1, 'x')
    expect(await page(1, 'cache-a')).toBe(a) // now the most recently used
    await page(1, 'y') // a third key pushes out the least recently used, 'x'
    expect(await page(1, 'cache-a')).toBe(a)
    expect(await page(1, 'x')).not.toBe(x)
  })
})
