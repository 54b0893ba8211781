// The same client drives the strict embedded engine and a zooid server (here a double with zooid's looser
// checks), and a platform that died between commit and sync finishes the job at its next start-up.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { initVerifier } from '../../src/nostr/verify.js'
import { openPlatform } from '../../src/platform/platform.js'
import { startServer } from '../../src/server.js'
import { RelaySync } from '../../src/sync/relay-sync.js'
import { httpRequest } from '../engine/helpers.js'
import { freePort } from '../helpers/ports.js'
import { testDatabaseEnv } from '../helpers/test-database.js'
import { ZooidDouble } from '../helpers/zooid-double.js'

const dirs: string[] = []
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'caravel-sync-contract-'))
  dirs.push(d)
  return d
}
beforeAll(() => initVerifier())
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

describe('engine contract', () => {
  it('drives an external zooid through ZOOID_API_URL: POST once with the secret, PATCH after, tolerates no /members', async () => {
    const dataDir = tempDir()
    const probe = await openPlatform(loadConfig({ DATA_DIR: dataDir }), pino({ level: 'silent' }))
    const robot = probe.robot.pubkey
    await probe.close()
    const zooid = new ZooidDouble([robot])
    await zooid.start()
    const platform = await openPlatform(loadConfig({ DATA_DIR: dataDir, ZOOID_API_URL: zooid.url }), pino({ level: 'silent' }))
    const sync = new RelaySync(platform, { reconcileEveryMs: 0 })
    await sync.start()
    try {
      const relay = await platform.commands.createRelay('7'.repeat(64), { subdomain: 'zooid-club', plan: 'free' })
      await sync.idle()
      expect((await platform.queries.getRelay(relay.id))!.synced).toBe(1)
      await platform.commands.deactivateRelay(relay.id)
      await sync.idle()
      expect(zooid.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`POST /relay/${relay.id}`, `PATCH /relay/${relay.id}`])
      const stored = zooid.relays.get(relay.id)!
      expect(stored).toMatchObject({ host: 'zooid-club.localhost', schema: 'zooid_club', inactive: true, info: { pubkey: '7'.repeat(64) } })
      expect(stored.secret).toMatch(/^[0-9a-f]{64}$/)
      expect(JSON.parse(zooid.requests[1]!.body)).not.toHaveProperty('secret')
      expect(await platform.engine.listMembers(relay.id)).toEqual([])
    } finally {
      sync.stop()
      await platform.close()
      await zooid.close()
    }
  })

  it('finishes at start-up what a platform killed between commit and sync left undone', async () => {
    const dataDir = tempDir()
    const env = { ...(await testDatabaseEnv()), DATA_DIR: dataDir, SERVER_PORT: String(await freePort()), ENGINE_PORT: String(await freePort()) }
    // "Killed": the relay is committed, but no reactor ever ran.
    const before = await openPlatform(loadConfig(env), pino({ level: 'silent' }))
    const relay = await before.commands.createRelay('8'.repeat(64), { subdomain: 'restart-club', plan: 'free', info_name: 'Survivor' })
    await before.close()

    const server = await startServer(loadConfig(env), pino({ level: 'silent' }))
    try {
      await server.relaySync.idle()
      expect((await server.platform.queries.getRelay(relay.id))!.synced).toBe(1)
      const info = await httpRequest(server.engine!.port, { host: 'restart-club.localhost', headers: { accept: 'application/nostr+json' } })
      expect(info.json()).toMatchObject({ name: 'Survivor' })
    } finally {
      await server.close()
    }
  })
})
