// Members and moderation through the API, carried out by NIP-86 on the tenant's relay in the embedded engine.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { npubEncode } from 'nostr-tools/nip19'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { nip98Header } from '../../src/nostr/nip98.js'
import { startServer, type RunningServer } from '../../src/server.js'
import { authedRelay, keys, publish, query, sign, type Keys } from '../engine/helpers.js'
import { freePort } from '../helpers/ports.js'
import { testDatabaseEnv } from '../helpers/test-database.js'

let server: RunningServer
let base: string
let dataDir: string
const owner = keys()

async function api(who: Keys, method: string, path: string, body?: unknown): Promise<any> {
  const raw = body === undefined ? undefined : JSON.stringify(body)
  const headers: Record<string, string> = { authorization: nip98Header((t) => sign(who, t), { url: base + path, method, body: raw }) }
  if (raw) headers['content-type'] = 'application/json'
  const res = await fetch(base + path, { method, headers, body: raw })
  return { status: res.status, ...((await res.json()) as object) }
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'caravel-moderation-'))
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  server = await startServer(loadConfig({ ...(await testDatabaseEnv()), DATA_DIR: dataDir, SERVER_PORT: String(port), SERVER_URL: base, ENGINE_PORT: String(await freePort()) }), pino({ level: 'silent' }))
})
afterAll(async () => {
  await server.close()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('members and moderation', () => {
  it('adds and removes members, bans and unbans pubkeys and events, all on the relay', async () => {
    const relay = (await api(owner, 'POST', '/api/relays', { subdomain: 'mod-club', plan: 'free', management_enabled: true })).data
    await server.relaySync.idle()
    const alice = keys()
    const bob = keys()
    const added = await api(owner, 'POST', `/api/relays/${relay.id}/members`, { pubkey: npubEncode(alice.pk) })
    expect(added.data).toEqual({ done: true })
    expect((await api(owner, 'POST', `/api/relays/${relay.id}/members`, { pubkey: bob.pk })).status).toBe(200)
    let members = (await api(owner, 'GET', `/api/relays/${relay.id}/members`)).data
    const pubkeys = (list: { members: { pubkey: string }[] }) => list.members.map((m) => m.pubkey)
    expect(pubkeys(members)).toEqual(expect.arrayContaining([alice.pk, bob.pk]))
    expect(members.members.find((m: { pubkey: string }) => m.pubkey === alice.pk)).toMatchObject({ role: 'member', counts: true, npub: npubEncode(alice.pk) })
    expect(members.members.find((m: { pubkey: string }) => m.pubkey === owner.pk)).toMatchObject({ role: 'owner', counts: false })
    expect(members.used).toBe(2)

    // Alice can now post; an event of hers is banned, then she is.
    const ws = await authedRelay(relay.url, alice)
    const note = sign(alice, { kind: 1, content: 'hello' })
    expect(await publish(ws, note)).toMatch(/^ok:/)
    ws.close()
    expect((await api(owner, 'POST', `/api/relays/${relay.id}/banned-events`, { id: note.id, reason: 'spam' })).status).toBe(200)
    expect((await api(owner, 'POST', `/api/relays/${relay.id}/bans`, { pubkey: alice.pk, reason: 'rude' })).status).toBe(200)
    const bans = (await api(owner, 'GET', `/api/relays/${relay.id}/bans`)).data
    expect(bans).toEqual({ items: [{ pubkey: alice.pk, npub: npubEncode(alice.pk), reason: 'rude', name: null, picture: null }], next_cursor: null })
    expect((await api(owner, 'GET', `/api/relays/${relay.id}/banned-events`)).data).toEqual({ items: [{ id: note.id, reason: 'spam' }], next_cursor: null })
    members = (await api(owner, 'GET', `/api/relays/${relay.id}/members`)).data
    expect(pubkeys(members)).not.toContain(alice.pk)
    const again = await authedRelay(relay.url, alice)
    expect(await publish(again, sign(alice, { kind: 1, content: 'back?' }))).toMatch(/^refused:.*blocked/)
    again.close()

    expect((await api(owner, 'DELETE', `/api/relays/${relay.id}/bans/${alice.pk}`)).status).toBe(200)
    expect((await api(owner, 'DELETE', `/api/relays/${relay.id}/banned-events/${note.id}`)).status).toBe(200)
    expect((await api(owner, 'GET', `/api/relays/${relay.id}/bans`)).data).toEqual({ items: [], next_cursor: null })
    expect((await api(owner, 'GET', `/api/relays/${relay.id}/banned-events`)).data).toEqual({ items: [], next_cursor: null })
    expect((await api(owner, 'DELETE', `/api/relays/${relay.id}/members/${bob.pk}`)).status).toBe(200)
    expect(pubkeys((await api(owner, 'GET', `/api/relays/${relay.id}/members`)).data)).not.toContain(bob.pk)
    const bobWs = await authedRelay(relay.url, bob)
    await expect(query(bobWs, [{ kinds: [1] }])).rejects.toThrow(/restricted/)
    bobWs.close()
  })

  it('refuses what the relay or the plan does not allow, in words', async () => {
    const relay = (await api(owner, 'POST', '/api/relays', { subdomain: 'mod-full', plan: 'free', management_enabled: true })).data
    await server.relaySync.idle()
    for (let i = 0; i < 10; i++) expect((await api(owner, 'POST', `/api/relays/${relay.id}/members`, { pubkey: keys().pk })).status).toBe(200)
    const full = await api(owner, 'POST', `/api/relays/${relay.id}/members`, { pubkey: keys().pk })
    expect(full.status).toBe(422)
    expect(full.code).toBe('member-limit-reached')
    const ownerBan = await api(owner, 'POST', `/api/relays/${relay.id}/bans`, { pubkey: owner.pk })
    expect(ownerBan.code).toBe('configured-member')
    expect((await api(owner, 'POST', `/api/relays/${relay.id}/bans`, { pubkey: 'nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5' })).code).toBe('invalid-pubkey')
    expect((await api(owner, 'POST', `/api/relays/${relay.id}/banned-events`, { id: 'xyz' })).code).toBe('invalid-event-id')
    await api(owner, 'PUT', `/api/relays/${relay.id}`, { management_enabled: false })
    await server.relaySync.idle()
    expect((await api(owner, 'GET', `/api/relays/${relay.id}/bans`)).code).toBe('management-disabled')
    expect((await api(keys(), 'GET', `/api/relays/${relay.id}/bans`)).status).toBe(403)
  })
})
