// Engine placement, proved on real processes: two `caravel engine` child processes (each its own data directory
// and port, whitelisting the platform's robot) and a `caravel serve` whose ZOOID_API_URL names both. Relays spread
// over the two; a relay with members, invite codes and a few hundred events of several kinds moves from A to B
// and keeps every event and member; the robot reads it on B; A no longer serves it and has purged it. A move whose
// target dies mid-way leaves the relay working on A, and once B is back the move succeeds over the leftover copy.
import { spawn, type ChildProcess } from 'node:child_process'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { bytesToHex } from 'nostr-tools/utils'
import { getPublicKey, type NostrEvent } from 'nostr-tools/pure'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { nip98Header } from '../../src/nostr/nip98.js'
import { startServer, type RunningServer } from '../../src/server.js'
import { authedRelay, httpRequest, keys, memberRelay, publish, query, sign, type Keys } from '../engine/helpers.js'
import { freePort } from '../helpers/ports.js'
import { testDatabaseEnv } from '../helpers/test-database.js'

const engineCli = fileURLToPath(new URL('../engine/fixtures/engine-cli.ts', import.meta.url))

interface EngineProcess {
  port: number
  dataDir: string
  child: ChildProcess
  exited: Promise<number | null>
}

/** `caravel engine` as its own process; resolves once it logs that it started. */
async function startEngineProcess(port: number, apiHost: string, whitelist: string, dataDir: string): Promise<EngineProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', engineCli], {
    env: { PATH: process.env.PATH, ENGINE_PORT: String(port), ENGINE_API_HOST: apiHost, ENGINE_API_WHITELIST: whitelist, ENGINE_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString()
      if (stdout.includes('relay engine started')) resolve()
    })
    void exited.then((code) => reject(new Error(`engine exited ${code}: ${stderr}`)))
  })
  return { port, dataDir, child, exited }
}

const robotSecret = bytesToHex(keys().sk)
const robotPk = getPublicKey(Buffer.from(robotSecret, 'hex'))
const admin = keys()
const owner = keys()

let server: RunningServer
let base: string
let dataDir: string
/** The platform's database (a fresh one per call on PostgreSQL, so it is asked once). */
let databaseEnv: Record<string, string>
let a: EngineProcess
let b: EngineProcess

interface Answer {
  status: number
  data?: any
  code?: string
  error?: string
  text?: string
  headers: Headers
}

async function api(who: Keys, method: string, path: string, body?: unknown): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body)
  const headers: Record<string, string> = { authorization: nip98Header((t) => sign(who, t), { url: base + path, method, body: payload }) }
  if (payload !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(base + path, { method, headers, body: payload })
  const text = await res.text()
  if (res.headers.get('content-type')?.startsWith('application/json')) return { status: res.status, headers: res.headers, ...(JSON.parse(text) as object) }
  return { status: res.status, headers: res.headers, text }
}

async function exportedIds(relayId: string): Promise<string[]> {
  const res = await api(admin, 'GET', `/api/relays/${relayId}/export`)
  expect(res.status).toBe(200)
  const lines = res.text!.split('\n').filter(Boolean)
  expect(Number(res.headers.get('x-event-count'))).toBe(lines.length)
  return lines.map((l) => (JSON.parse(l) as NostrEvent).id).sort()
}

const relayUrl = (engine: EngineProcess, subdomain: string) => `ws://${subdomain}.localhost:${engine.port}`

async function createRelay(subdomain: string): Promise<{ id: string }> {
  const created = await api(owner, 'POST', '/api/relays', { subdomain, plan: 'free', management_enabled: true })
  expect(created.status, JSON.stringify(created)).toBe(201)
  await server.relaySync.idle()
  return created.data
}

const placementOf = async (id: string) => (await api(admin, 'GET', `/api/relays/${id}`)).data.engine as string

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'caravel-placement-'))
  const [portA, portB, serverPort] = [await freePort(), await freePort(), await freePort()]
  a = await startEngineProcess(portA, `127.0.0.1:${portA}`, robotPk, join(dataDir, 'engine-a'))
  b = await startEngineProcess(portB, `127.0.0.1:${portB}`, robotPk, join(dataDir, 'engine-b'))
  base = `http://127.0.0.1:${serverPort}`
  databaseEnv = await testDatabaseEnv()
  const config = loadConfig({
    ...databaseEnv,
    DATA_DIR: dataDir,
    SERVER_PORT: String(serverPort),
    SERVER_URL: base,
    ROBOT_SECRET: robotSecret,
    SERVER_ADMIN_PUBKEYS: admin.pk,
    ZOOID_API_URL: `a=http://127.0.0.1:${portA},b=http://127.0.0.1:${portB}`,
    // On PostgreSQL a move waits out one engine timeout for other instances' syncs: keep it short here.
    ENGINE_TIMEOUT_MS: '3000',
  })
  server = await startServer(config, pino({ level: 'silent' }))
})

afterAll(async () => {
  await server?.close()
  for (const e of [a, b]) {
    if (e && e.child.exitCode === null && e.child.signalCode === null) {
      e.child.kill('SIGTERM')
      await e.exited
    }
  }
  rmSync(dataDir, { recursive: true, force: true })
})

describe('engine placement', () => {
  let club: { id: string }
  let other: { id: string }
  const members = [keys(), keys(), keys()]
  const published: NostrEvent[] = []

  it('spreads new relays over the engines, fewest first, and lets an admin choose', async () => {
    club = await createRelay('moving-club')
    const second = await createRelay('second-club')
    other = await createRelay('third-club')
    expect([await placementOf(club.id), await placementOf(second.id), await placementOf(other.id)]).toEqual(['a', 'b', 'a'])
    // Only admins choose; an unknown engine is refused.
    expect((await api(owner, 'POST', '/api/relays', { subdomain: 'chooser', plan: 'free', engine: 'b' })).status).toBe(403)
    const unknown = await api(admin, 'POST', '/api/relays', { subdomain: 'chooser', plan: 'free', engine: 'nowhere' })
    expect([unknown.status, unknown.code]).toEqual([422, 'unknown-engine'])
    const chosen = await api(admin, 'POST', '/api/relays', { subdomain: 'chosen-club', plan: 'free', engine: 'b', tenant: owner.pk })
    expect(chosen.status).toBe(201)
    await server.relaySync.idle()
    expect(await placementOf(chosen.data.id)).toBe('b')
    // Each relay is live on its own engine only.
    const nip11 = (engine: EngineProcess, sub: string) => httpRequest(engine.port, { host: `${sub}.localhost`, headers: { accept: 'application/nostr+json' } })
    expect((await nip11(a, 'moving-club')).status).toBe(200)
    expect((await nip11(b, 'moving-club')).status).toBe(404)
    expect((await nip11(b, 'second-club')).status).toBe(200)
    expect((await nip11(a, 'second-club')).status).toBe(404)
    const engines = await api(admin, 'GET', '/api/engines')
    expect(engines.data.items).toEqual([
      { name: 'a', url: `http://127.0.0.1:${a.port}`, relays: 2 },
      { name: 'b', url: `http://127.0.0.1:${b.port}`, relays: 2 },
    ])
    expect((await api(owner, 'GET', '/api/engines')).status).toBe(403)
    const ready = await fetch(`${base}/readyz`)
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', 'engine:a': 'ok', 'engine:b': 'ok' } })
  })

  it('moves a relay from A to B with every event, member, invite and ban; the relay answers on B only', async () => {
    // Members added through the API (NIP-86 on A), one more joining with an invite code.
    for (const m of members) expect((await api(owner, 'POST', `/api/relays/${club.id}/members`, { pubkey: m.pk })).status).toBe(200)
    const invite = (await api(owner, 'POST', `/api/relays/${club.id}/invites`, { label: 'friends', max_uses: 5 })).data
    const invited = keys()
    ;(await memberRelay(relayUrl(a, 'moving-club'), invited, invite.code)).close()
    await api(owner, 'POST', `/api/relays/${club.id}/invites`, { label: 'unused' })
    const banned = keys()
    expect((await api(owner, 'POST', `/api/relays/${club.id}/bans`, { pubkey: banned.pk, reason: 'spam' })).status).toBe(200)

    // A few hundred events of several kinds from the owner and the members.
    const authors = [owner, ...members, invited]
    const sockets = await Promise.all(authors.map((k) => authedRelay(relayUrl(a, 'moving-club'), k)))
    const now = Math.floor(Date.now() / 1000)
    for (let i = 0; i < 300; i++) {
      const who = i % authors.length
      const k = authors[who]!
      const kind = [1, 1, 7, 30023, 42][i % 5]!
      const tags = kind === 30023 ? [['d', `post-${i}`]] : kind === 7 && published.length > 0 ? [['e', published[published.length - 1]!.id]] : []
      published.push(sign(k, { kind, tags, content: `event ${i}`, created_at: now - 300 + i }))
    }
    for (const [i, k] of authors.entries()) published.push(sign(k, { kind: 0, content: JSON.stringify({ name: `person-${i}` }) }))
    const outcomes = await Promise.all(published.map((e) => publish(sockets[authors.findIndex((k) => k.pk === e.pubkey)]!, e)))
    expect(outcomes.filter((o) => !o.startsWith('ok:'))).toEqual([])
    for (const s of sockets) s.close()

    const idsBefore = await exportedIds(club.id)
    expect(idsBefore.length).toBeGreaterThanOrEqual(published.length)
    for (const e of published) expect(idsBefore).toContain(e.id)
    const membersBefore = (await api(owner, 'GET', `/api/relays/${club.id}/members`)).data
    const invitesBefore = (await api(owner, 'GET', `/api/relays/${club.id}/invites`)).data.items
    expect(membersBefore.members.map((m: { pubkey: string }) => m.pubkey)).toEqual(expect.arrayContaining([...members.map((m) => m.pk), invited.pk]))
    expect(invitesBefore).toHaveLength(2)
    const bansBefore = (await api(owner, 'GET', `/api/relays/${club.id}/bans`)).data.items
    expect(bansBefore).toMatchObject([{ pubkey: banned.pk, reason: 'spam' }])

    const moved = await api(admin, 'POST', `/api/relays/${club.id}/move`, { engine: 'b' })
    expect(moved.status, JSON.stringify(moved)).toBe(200)
    expect(moved.data).toMatchObject({ from: 'a', to: 'b', events: idsBefore.length, source_purged: true, relay: { id: club.id, subdomain: 'moving-club' } })
    await server.relaySync.idle()
    expect(await placementOf(club.id)).toBe('b')

    // The same events, members and invites, read from B (the API follows the placement; B's own API agrees).
    expect(await exportedIds(club.id)).toEqual(idsBefore)
    const direct = await server.platform.engines.get('b')!.client.exportEvents(club.id)
    expect(direct.count).toBe(idsBefore.length)
    await direct.body.cancel()
    expect((await api(owner, 'GET', `/api/relays/${club.id}/members`)).data).toEqual(membersBefore)
    expect((await api(owner, 'GET', `/api/relays/${club.id}/invites`)).data.items).toEqual(invitesBefore)
    expect((await api(owner, 'GET', `/api/relays/${club.id}/bans`)).data.items).toEqual(bansBefore)

    // A member authenticates on B and reads everything; the invite code still works there.
    const member = await authedRelay(relayUrl(b, 'moving-club'), members[1]!)
    const notes = await query(member, [{ kinds: [1], limit: 1000 }])
    expect(notes.map((e) => e.id).sort()).toEqual(published.filter((e) => e.kind === 1).map((e) => e.id).sort())
    expect(await publish(member, sign(members[1]!, { kind: 1, content: 'hello from B' }))).toMatch(/^ok:/)
    member.close()
    ;(await memberRelay(relayUrl(b, 'moving-club'), keys(), invite.code)).close()

    // The robot dials the relay where it is placed now (profiles are read from the relay itself).
    const profiles = await server.robot.relays.fetch([`wss://moving-club.localhost`], { kinds: [0], authors: [members[0]!.pk] }, { auth: server.platform.robot.sign })
    expect(profiles.failed).toEqual({})
    expect(profiles.events.map((e) => JSON.parse(e.content).name)).toEqual(['person-1'])

    // A no longer serves it and has purged its data.
    expect((await httpRequest(a.port, { host: 'moving-club.localhost', headers: { accept: 'application/nostr+json' } })).status).toBe(404)
    await expect(server.platform.engines.get('a')!.client.exportEvents(club.id)).rejects.toMatchObject({ status: 404 })
    expect(existsSync(join(a.dataDir, 'relays', `${club.id}.sqlite`))).toBe(false)

    // Others hear of it: the move is in the relay's activity.
    const activity = (await api(owner, 'GET', `/api/relays/${club.id}/activity`)).data.items
    expect(activity.find((r: { activity_type: string }) => r.activity_type === 'move_relay')).toMatchObject({ detail: `moved from "a" to "b" with ${idsBefore.length} events` })
    expect((await api(admin, 'GET', '/api/engines')).data.items.map((e: { relays: number }) => e.relays)).toEqual([1, 3])
  })

  it('refuses moves that make no sense, and only admins move', async () => {
    expect((await api(owner, 'POST', `/api/relays/${club.id}/move`, { engine: 'a' })).status).toBe(403)
    const same = await api(admin, 'POST', `/api/relays/${club.id}/move`, { engine: 'b' })
    expect([same.status, same.code]).toEqual([409, 'already-on-engine'])
    const unknown = await api(admin, 'POST', `/api/relays/${club.id}/move`, { engine: 'c' })
    expect([unknown.status, unknown.code]).toEqual([422, 'unknown-engine'])
  })

  it('a target that dies mid-move leaves the relay working on A; once it is back the move succeeds', async () => {
    const writer = await authedRelay(relayUrl(a, 'third-club'), owner)
    const events = Array.from({ length: 40 }, (_, i) => sign(owner, { kind: 1, content: `stays ${i}` }))
    for (const e of events) expect(await publish(writer, e)).toMatch(/^ok:/)
    writer.close()
    const idsBefore = await exportedIds(other.id)

    // B's process is killed as the first import chunk is about to be sent: the relay exists there, no event yet.
    const target = server.platform.engines.get('b')!.client
    const importEvents = target.importEvents
    target.importEvents = async (...args) => {
      target.importEvents = importEvents
      b.child.kill('SIGKILL')
      await b.exited
      return importEvents.apply(target, args)
    }
    const failed = await api(admin, 'POST', `/api/relays/${other.id}/move`, { engine: 'b' })
    expect([failed.status, failed.code]).toEqual([503, 'engine-unavailable'])
    expect(failed.error).toMatch(/^importing events on engine "b" failed: engine unreachable/)
    await server.relaySync.idle()

    expect(await placementOf(other.id)).toBe('a')
    const reader = await authedRelay(relayUrl(a, 'third-club'), owner)
    expect((await query(reader, [{ kinds: [1] }])).map((e) => e.id).sort()).toEqual(events.map((e) => e.id).sort())
    expect(await publish(reader, sign(owner, { kind: 1, content: 'still here' }))).toMatch(/^ok:/)
    reader.close()
    const detail = (await api(owner, 'GET', `/api/relays/${other.id}`)).data
    expect(detail).toMatchObject({ synced: true, status: 'active' })
    expect((await exportedIds(other.id)).length).toBe(idsBefore.length + 1)

    // B returns with the half-made copy still in its catalog (nobody could purge it): the next move replaces it.
    b = await startEngineProcess(b.port, `127.0.0.1:${b.port}`, robotPk, b.dataDir)
    const idsNow = await exportedIds(other.id)
    const retried = await api(admin, 'POST', `/api/relays/${other.id}/move`, { engine: 'b' })
    expect(retried.status, JSON.stringify(retried)).toBe(200)
    expect(retried.data).toMatchObject({ from: 'a', to: 'b', events: idsNow.length })
    await server.relaySync.idle()
    expect(await exportedIds(other.id)).toEqual(idsNow)
  })

  it('prints the reverse-proxy map from the placements', async () => {
    const run = promisify(execFile)
    const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent', ROBOT_SECRET: robotSecret, ZOOID_API_URL: `a=http://127.0.0.1:${a.port},b=http://127.0.0.1:${b.port}`, ...databaseEnv }
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'admin', 'engine-map'], { env })
    expect(stdout).toContain(`upstream caravel_engine_b { server 127.0.0.1:${b.port}; }`)
    expect(stdout).toContain('    default caravel_engine_a;')
    for (const sub of ['moving-club', 'second-club', 'third-club', 'chosen-club']) expect(stdout).toContain(`    ${sub}.localhost caravel_engine_b;`)
    // Started without an engine that holds relays, the platform stops with one line saying so.
    const missing = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'admin', 'engine-map'], { env: { ...env, ZOOID_API_URL: `a=http://127.0.0.1:${a.port}` } }).catch((err) => err)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toBe('caravel: configuration error: ZOOID_API_URL: relays are placed on engine "b", which it does not list; list every engine that holds relays (name=url)\n')
  })

  it('keeps a map file current with --watch, running the reload command after each change', async () => {
    const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent', ROBOT_SECRET: robotSecret, ZOOID_API_URL: `a=http://127.0.0.1:${a.port},b=http://127.0.0.1:${b.port}`, ...databaseEnv }
    const out = join(dataDir, 'engines.conf')
    const reloads = join(dataDir, 'reloads.log')
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'admin', 'engine-map', '--out', out, '--watch', '1', '--reload', `echo reloaded >> ${reloads}`], { env, stdio: 'ignore' })
    try {
      const waitFor = async (what: string, check: () => boolean) => {
        const deadline = Date.now() + 20_000
        while (!check()) {
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
          await new Promise((resolve) => setTimeout(resolve, 100))
        }
      }
      const map = () => (existsSync(out) ? readFileSync(out, 'utf8') : '')
      const reloaded = () => (existsSync(reloads) ? readFileSync(reloads, 'utf8').trim().split('\n').length : 0)
      await waitFor('the first map', () => map().includes('map $host $caravel_engine') && reloaded() === 1)
      // A new relay placed on b appears in the file within a watch period; unchanged polls reload nothing.
      const created = await api(admin, 'POST', '/api/relays', { subdomain: 'watched-club', plan: 'free', engine: 'b', tenant: owner.pk })
      expect(created.status, JSON.stringify(created)).toBe(201)
      await waitFor('the new relay in the map', () => map().includes('    watched-club.localhost caravel_engine_b;'))
      await waitFor('one more reload', () => reloaded() === 2)
      await new Promise((resolve) => setTimeout(resolve, 1500))
      expect(reloaded()).toBe(2)
    } finally {
      child.kill('SIGTERM')
    }
  })
})
