// Community tools through the API, on a real `caravel serve` with its embedded engine: members with their
// names and pictures, invite codes and who joined with them, exempt kinds, live stats, export and import.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { nip98Header } from '../../src/nostr/nip98.js'
import { startServer, type RunningServer } from '../../src/server.js'
import { authedRelay, keys, memberRelay, plainRelay, publish, query, sign, type Keys } from '../engine/helpers.js'
import { freePort } from '../helpers/ports.js'
import { testDatabaseEnv } from '../helpers/test-database.js'

let server: RunningServer
let base: string
let dataDir: string
const owner = keys()

interface Answer {
  status: number
  data?: any
  code?: string
  error?: string
  headers: Headers
  text?: string
}

async function api(who: Keys, method: string, path: string, body?: unknown, raw?: { bytes: string; type: string }): Promise<Answer> {
  const payload = raw ? raw.bytes : body === undefined ? undefined : JSON.stringify(body)
  const headers: Record<string, string> = { authorization: nip98Header((t) => sign(who, t), { url: base + path, method, body: payload }) }
  if (payload !== undefined) headers['content-type'] = raw ? raw.type : 'application/json'
  const res = await fetch(base + path, { method, headers, body: payload })
  const text = await res.text()
  if (res.headers.get('content-type')?.startsWith('application/json')) return { status: res.status, headers: res.headers, ...(JSON.parse(text) as object) }
  return { status: res.status, headers: res.headers, text }
}

async function newRelay(subdomain: string, extra: Record<string, unknown> = {}): Promise<{ id: string; url: string }> {
  const created = await api(owner, 'POST', '/api/relays', { subdomain, plan: 'free', ...extra })
  expect(created.status, JSON.stringify(created)).toBe(201)
  await server.relaySync.idle()
  return created.data
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'caravel-community-'))
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  server = await startServer(
    loadConfig({ ...(await testDatabaseEnv()), DATA_DIR: dataDir, SERVER_PORT: String(port), SERVER_URL: base, ENGINE_PORT: String(await freePort()) }),
    pino({ level: 'silent' }),
  )
})
afterAll(async () => {
  await server.close()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('members and invites', () => {
  it('creates invite codes, lets people join with them, shows who joined with which code, names and pictures', async () => {
    const relay = await newRelay('club-invites')
    const created = await api(owner, 'POST', `/api/relays/${relay.id}/invites`, { label: 'newsletter', max_uses: 2 })
    expect(created.status, JSON.stringify(created)).toBe(201)
    const invite = created.data
    expect(invite).toMatchObject({ label: 'newsletter', max_uses: 2, uses: 0, revoked: false, expires_at: null, joins: [] })
    expect(invite.code).toMatch(/^[A-Z0-9]{8}$/)
    expect(invite.link).toBe(`${base}/join?r=${encodeURIComponent(relay.url)}&c=${invite.code}`)

    // Alice joins with the code and publishes her profile on the relay; Bob joins too; Carol finds it used up.
    const alice = keys()
    const aliceWs = await memberRelay(relay.url, alice, invite.code)
    const profile = sign(alice, { kind: 0, content: JSON.stringify({ name: 'alice', display_name: 'Alice A.', picture: 'https://pics.example/alice.png', nip05: 'alice@example.com' }) })
    expect(await publish(aliceWs, profile)).toMatch(/^ok:/)
    aliceWs.close()
    ;(await memberRelay(relay.url, keys(), invite.code)).close()
    const carolKeys = keys()
    const carol = await authedRelay(relay.url, carolKeys)
    expect(await publish(carol, sign(carolKeys, { kind: 28934, tags: [['claim', invite.code]] }))).toMatch(/^refused:.*invite code/)
    carol.close()

    const listed = (await api(owner, 'GET', `/api/relays/${relay.id}/invites`)).data.items
    expect(listed).toHaveLength(1)
    expect(listed[0].uses).toBe(2)
    expect(listed[0].joins.map((j: { pubkey: string }) => j.pubkey)).toContain(alice.pk)
    const aliceJoin = listed[0].joins.find((j: { pubkey: string }) => j.pubkey === alice.pk)
    expect(aliceJoin).toMatchObject({ name: 'Alice A.', picture: 'https://pics.example/alice.png' })

    const members = (await api(owner, 'GET', `/api/relays/${relay.id}/members`)).data
    const aliceRow = members.members.find((m: { pubkey: string }) => m.pubkey === alice.pk)
    expect(aliceRow).toMatchObject({ role: 'member', counts: true, via: 'invite', code: invite.code, name: 'Alice A.', nip05: 'alice@example.com' })
    expect(aliceRow.joined_at).toBeGreaterThan(0)
    expect(members.used).toBe(2)

    // Revoked: the code stops working, the history stays.
    const second = (await api(owner, 'POST', `/api/relays/${relay.id}/invites`, {})).data
    const revoked = await api(owner, 'DELETE', `/api/relays/${relay.id}/invites/${second.code}`)
    expect(revoked.data).toMatchObject({ code: second.code, revoked: true })
    const daveKeys = keys()
    const dave = await authedRelay(relay.url, daveKeys)
    expect(await publish(dave, sign(daveKeys, { kind: 28934, tags: [['claim', second.code]] }))).toMatch(/^refused:.*invite code/)
    dave.close()
    expect((await api(owner, 'DELETE', `/api/relays/${relay.id}/invites/NOPE0000`)).code).toBe('not-found')
  })

  it('refuses bad invites, strangers, and joins beyond the plan limit with the reason', async () => {
    const relay = await newRelay('club-full', { policy_public_join: true })
    expect((await api(owner, 'POST', `/api/relays/${relay.id}/invites`, { expires_at: 1000 })).code).toBe('invalid-expiry')
    expect((await api(owner, 'POST', `/api/relays/${relay.id}/invites`, { max_uses: 0 })).status).toBe(400)
    expect((await api(owner, 'POST', `/api/relays/${relay.id}/invites`, { label: 'x', extra: 1 })).status).toBe(400)
    const stranger = keys()
    for (const [method, path] of [
      ['GET', 'invites'],
      ['POST', 'invites'],
      ['GET', 'stats'],
      ['GET', 'export'],
      ['GET', 'members'],
    ] as const) {
      expect((await api(stranger, method, `/api/relays/${relay.id}/${path}`, method === 'POST' ? {} : undefined)).status).toBe(403)
    }
    // The free plan allows 10 members: the 11th public join is refused by the relay itself.
    for (let i = 0; i < 10; i++) (await memberRelay(relay.url, keys())).close()
    const latecomer = keys()
    const late = await authedRelay(relay.url, latecomer)
    expect(await publish(late, sign(latecomer, { kind: 28934 }))).toMatch(/^refused:.*full/)
    late.close()
    const members = (await api(owner, 'GET', `/api/relays/${relay.id}/members`)).data
    expect(members).toMatchObject({ used: 10, allowed: 10 })
  })
})

describe('exempt kinds', () => {
  it('lets gift wraps to members through by default, and not once the tenant turns them off', async () => {
    const relay = await newRelay('club-exempt')
    const settings = await api(owner, 'GET', `/api/relays/${relay.id}`)
    expect(settings.data.exempt_kinds).toEqual([1059, 9735, 13194, 23194, 23195, 24133])
    const wrap = (to: string) => sign(keys(), { kind: 1059, tags: [['p', to]], content: 'sealed' })
    const outsider = await plainRelay(relay.url)
    expect(await publish(outsider, wrap(owner.pk))).toMatch(/^ok:/)
    outsider.close()

    expect((await api(owner, 'PUT', `/api/relays/${relay.id}`, { exempt_kinds: [1.5] })).code).toBe('invalid-exempt-kinds')
    expect((await api(owner, 'PUT', `/api/relays/${relay.id}`, { exempt_kinds: [70000] })).code).toBe('invalid-exempt-kinds')
    const off = await api(owner, 'PUT', `/api/relays/${relay.id}`, { exempt_kinds: [] })
    expect(off.data.exempt_kinds).toEqual([])
    await server.relaySync.idle()
    const again = await plainRelay(relay.url)
    expect(await publish(again, wrap(owner.pk))).toMatch(/^refused:.*auth-required/)
    again.close()
    const back = await api(owner, 'PUT', `/api/relays/${relay.id}`, { exempt_kinds: null })
    expect(back.data.exempt_kinds).toEqual([1059, 9735, 13194, 23194, 23195, 24133])
  })
})

describe('stats, export and import', () => {
  it('counts what is stored, exports it and imports it into another relay with the same ids', async () => {
    const source = await newRelay('club-source', { policy_public_join: true })
    const alice = keys()
    const ws = await memberRelay(source.url, alice)
    const day = 86_400
    const now = Math.floor(Date.now() / 1000)
    const published = [
      sign(alice, { kind: 1, content: 'one', created_at: now - 2 * day }),
      sign(alice, { kind: 1, content: 'two', created_at: now - day }),
      sign(alice, { kind: 7, content: '+', created_at: now - day }),
      sign(alice, { kind: 1, content: 'three' }),
    ]
    for (const e of published) expect(await publish(ws, e)).toMatch(/^ok:/)
    const stats = await api(owner, 'GET', `/api/relays/${source.id}/stats?days=7`)
    expect(stats.status, JSON.stringify(stats)).toBe(200)
    expect(stats.data.daily).toHaveLength(7)
    expect(stats.data.members).toBe(1)
    expect(stats.data.members_allowed).toBe(10)
    expect(stats.data.connections).toBeGreaterThanOrEqual(1)
    expect(stats.data.storage_bytes).toBeGreaterThan(0)
    const totals: Record<string, number> = {}
    for (const d of stats.data.daily) for (const [kind, n] of Object.entries(d.events)) totals[kind] = (totals[kind] ?? 0) + (n as number)
    expect(totals['1']).toBe(3)
    expect(totals['7']).toBe(1)
    const yesterday = new Date((now - day) * 1000).toISOString().slice(0, 10)
    expect(stats.data.daily.find((d: { day: string }) => d.day === yesterday).events).toMatchObject({ '1': 1, '7': 1 })
    expect((await api(owner, 'GET', `/api/relays/${source.id}/stats?days=0`)).status).toBe(400)
    ws.close()

    const exported = await api(owner, 'GET', `/api/relays/${source.id}/export`)
    expect(exported.status).toBe(200)
    expect(exported.headers.get('content-type')).toContain('application/x-ndjson')
    expect(exported.headers.get('content-disposition')).toMatch(/^attachment; filename="club-source-\d{4}-\d{2}-\d{2}\.jsonl"$/)
    const lines = exported.text!.trim().split('\n')
    expect(Number(exported.headers.get('x-event-count'))).toBe(lines.length)
    const ids = lines.map((l) => JSON.parse(l).id as string)
    for (const e of published) expect(ids).toContain(e.id)

    // Into a fresh relay, in two chunks with a malformed line in the second.
    const target = await newRelay('club-target')
    const half = Math.ceil(lines.length / 2)
    const first = await api(owner, 'POST', `/api/relays/${target.id}/import?first_line=1`, undefined, { bytes: lines.slice(0, half).join('\n') + '\n', type: 'application/x-ndjson' })
    expect(first.status, JSON.stringify(first)).toBe(200)
    const rest = [...lines.slice(half), '{"not": "an event"}', 'garbage']
    const second = await api(owner, 'POST', `/api/relays/${target.id}/import?first_line=${half + 1}`, undefined, { bytes: rest.join('\n'), type: 'application/x-ndjson' })
    expect(second.status, JSON.stringify(second)).toBe(200)
    expect(second.data.refused.map((r: { line: number }) => r.line)).toEqual([lines.length + 1, lines.length + 2])
    expect(first.data.accepted + first.data.skipped + second.data.accepted + second.data.skipped).toBe(lines.length)

    const reexported = (await api(owner, 'GET', `/api/relays/${target.id}/export`)).text!.trim().split('\n')
    const targetIds = new Set(reexported.map((l) => JSON.parse(l).id as string))
    for (const e of published) expect(targetIds.has(e.id)).toBe(true)
    // Alice's notes are readable on the target by its owner.
    const ownerWs = await authedRelay(target.url, owner)
    expect((await query(ownerWs, [{ kinds: [1], authors: [alice.pk] }])).map((e) => e.id).sort()).toEqual(published.filter((e) => e.kind === 1).map((e) => e.id).sort())
    ownerWs.close()

    const tooBig = await api(owner, 'POST', `/api/relays/${target.id}/import`, undefined, { bytes: 'x'.repeat(1_048_577), type: 'application/x-ndjson' })
    expect(tooBig).toMatchObject({ status: 413, code: 'body-too-large' })
    expect((await api(owner, 'POST', `/api/relays/${target.id}/import?first_line=0`, undefined, { bytes: 'x', type: 'application/x-ndjson' })).status).toBe(400)
  })
})
