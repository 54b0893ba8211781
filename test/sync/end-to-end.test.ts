// A tenant creates a relay through the API; the embedded engine serves it within moments, follows its
// updates, stops serving it when deactivated and serves its old events again when reactivated.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { nip98Header } from '../../src/nostr/nip98.js'
import { startServer, type RunningServer } from '../../src/server.js'
import { authedRelay, httpRequest, keys, plainRelay, publish, query, sign } from '../engine/helpers.js'
import { freePort } from '../helpers/ports.js'
import { testDatabaseEnv } from '../helpers/test-database.js'

let server: RunningServer
let base: string
let enginePort: number
let dataDir: string
const tenant = keys()

async function api(method: string, path: string, body?: unknown): Promise<any> {
  const raw = body === undefined ? undefined : JSON.stringify(body)
  const headers: Record<string, string> = {
    authorization: nip98Header((t) => sign(tenant, t), { url: base + path, method, body: raw }),
  }
  if (raw) headers['content-type'] = 'application/json'
  const res = await fetch(base + path, { method, headers, body: raw })
  return { status: res.status, ...((await res.json()) as object) }
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'caravel-sync-e2e-'))
  const port = await freePort()
  enginePort = await freePort()
  base = `http://127.0.0.1:${port}`
  const config = loadConfig({ ...(await testDatabaseEnv()), DATA_DIR: dataDir, SERVER_PORT: String(port), SERVER_URL: base, ENGINE_PORT: String(enginePort) })
  server = await startServer(config, pino({ level: 'silent' }))
})
afterAll(async () => {
  await server.close()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('relay sync end to end', () => {
  it('provisions, updates, deactivates and reactivates a relay on the engine', async () => {
    const created = await api('POST', '/api/relays', { subdomain: 'e2e-club', plan: 'free', info_name: 'E2E Club' })
    expect(created.status).toBe(201)
    const id = created.data.id
    expect(created.data.url).toBe(`ws://e2e-club.localhost:${enginePort}`)
    await server.relaySync.idle()
    const synced = await api('GET', `/api/relays/${id}`)
    expect(synced.data).toMatchObject({ synced: true, sync_error: '', members: { used: 0, allowed: 10 } })

    // The owner connects, authenticates, publishes and reads.
    const url = created.data.url
    const owner = await authedRelay(url, tenant)
    const note = sign(tenant, { kind: 1, content: 'first post' })
    expect(await publish(owner, note)).toMatch(/^ok:/)
    expect((await query(owner, [{ kinds: [1] }])).map((e) => e.id)).toEqual([note.id])
    owner.close()

    // Members come from the engine: the owner and the relay's own key, neither counted against the plan.
    const members = await api('GET', `/api/relays/${id}/members`)
    expect(members.data.members).toContainEqual(expect.objectContaining({ pubkey: tenant.pk, role: 'owner', counts: false }))
    expect(members.data.members).toContainEqual(expect.objectContaining({ role: 'relay', counts: false }))
    expect(members.data.used).toBe(0)
    expect(members.data.allowed).toBe(10)

    // A name change reaches NIP-11.
    await api('PUT', `/api/relays/${id}`, { info_name: 'Renamed Club' })
    await server.relaySync.idle()
    const info = await httpRequest(enginePort, { host: 'e2e-club.localhost', headers: { accept: 'application/nostr+json' } })
    expect(info.json()).toMatchObject({ name: 'Renamed Club', pubkey: tenant.pk })

    // Deactivated: the host 404s and new connections fail.
    await api('POST', `/api/relays/${id}/deactivate`)
    await server.relaySync.idle()
    expect((await httpRequest(enginePort, { host: 'e2e-club.localhost', headers: { accept: 'application/nostr+json' } })).status).toBe(404)
    await expect(plainRelay(url)).rejects.toThrow()
    expect((await api('GET', `/api/relays/${id}`)).data).toMatchObject({ status: 'inactive', synced: true })

    // Reactivated: it serves again, with its old events.
    await api('POST', `/api/relays/${id}/activate`)
    await server.relaySync.idle()
    const again = await authedRelay(url, tenant)
    expect((await query(again, [{ kinds: [1] }])).map((e) => e.id)).toEqual([note.id])
    again.close()

    const activity = await api('GET', `/api/relays/${id}/activity?limit=100`)
    const types = activity.data.items.map((a: { activity_type: string }) => a.activity_type)
    expect(types.filter((t: string) => t === 'complete_relay_sync')).toHaveLength(4)
    expect(types).not.toContain('fail_relay_sync')
  })

  it('refuses a downgrade that would leave more members than the plan allows', async () => {
    const created = await api('POST', '/api/relays', { subdomain: 'busy-club', plan: 'basic', policy_public_join: true })
    await server.relaySync.idle()
    const url = created.data.url
    const joiners = Array.from({ length: 11 }, () => keys())
    for (const k of joiners) {
      const r = await authedRelay(url, k)
      expect(await publish(r, sign(k, { kind: 28934, tags: [] }))).toMatch(/^ok:/)
      r.close()
    }
    const refused = await api('PUT', `/api/relays/${created.data.id}`, { plan: 'free' })
    expect(refused.status).toBe(422)
    expect(refused.code).toBe('member-limit-exceeded')
    expect(refused.error).toContain('11 members')
    expect((await api('GET', `/api/relays/${created.data.id}`)).data).toMatchObject({ plan: 'basic', members: { used: 11, allowed: 100 } })
    expect((await api('PUT', `/api/relays/${created.data.id}`, { plan: 'growth' })).data.plan).toBe('growth')
  })
})
