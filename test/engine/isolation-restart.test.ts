// engine.md §6 and §7 rows 19, 20: relays isolated from each other, DELETE/re-POST/purge, restart, and the
// export → purge → import round trip (engine handle and CLI).
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { engineCommand } from '../../src/engine/cli.js'
import {
  authedRelay,
  createRelay,
  httpRequest,
  keys,
  nip86,
  publish,
  query,
  RawClient,
  sign,
  startTestEngine,
  suiteEngine,
  tempDir,
  type Keys,
  type RelaySetup,
} from './helpers.js'

const te = suiteEngine()

const exportIds = (id: string): string[] => {
  const lines: string[] = []
  te.handle.exportRelay(id, (l) => lines.push(l))
  return lines.map((l) => JSON.parse(l).id)
}

async function joinAndPost(r: RelaySetup, k: Keys, content: string) {
  const relay = await authedRelay(te.url(r.host), k)
  expect(await publish(relay, sign(k, { kind: 28934 }))).toMatch(/^ok:/)
  const note = sign(k, { kind: 1, content })
  expect(await publish(relay, note)).toBe('ok:')
  relay.close()
  return note
}

describe('two relays on one engine are isolated', () => {
  it('never see each other’s events, members or bans', async () => {
    const a = await createRelay(te, { policy: { public_join: true }, management: { enabled: true } })
    const b = await createRelay(te, { policy: { public_join: true }, management: { enabled: true } })
    const alice = keys()
    const bob = keys()
    const noteA = await joinAndPost(a, alice, 'on A')
    const noteB = await joinAndPost(b, bob, 'on B')

    // members
    const membersA = (await te.api('GET', `/relay/${a.id}/members`)).json().members
    const membersB = (await te.api('GET', `/relay/${b.id}/members`)).json().members
    expect(membersA).toContain(alice.pk)
    expect(membersA).not.toContain(bob.pk)
    expect(membersB).not.toContain(alice.pk)

    // events: alice is not a member of B, and B's owner does not see A's events
    const aliceOnB = await authedRelay(te.url(b.host), alice)
    await expect(query(aliceOnB, [{ kinds: [1] }])).rejects.toThrow(/^restricted: /)
    aliceOnB.close()
    const ownerB = await authedRelay(te.url(b.host), b.owner)
    const seen = await query(ownerB, [{ ids: [noteA.id, noteB.id] }])
    expect(seen.map((e) => e.id)).toEqual([noteB.id])
    ownerB.close()

    // bans: banning bob on A does not affect bob on B
    expect((await nip86(te, a.host, a.owner, 'banpubkey', [bob.pk, 'x'])).json()).toEqual({ result: true })
    expect((await nip86(te, b.host, b.owner, 'listbannedpubkeys', [])).json()).toEqual({ result: [] })
    const bobOnB = await authedRelay(te.url(b.host), bob)
    expect(await publish(bobOnB, sign(bob, { kind: 1, content: 'still here' }))).toBe('ok:')
    expect((await query(bobOnB, [{ ids: [noteB.id] }])).length).toBe(1)
    bobOnB.close()
  })
})

describe('DELETE and purge (row 19)', () => {
  it('DELETE → 404 host; re-POST same id → old events back; ?purge=true → data gone; other relays unchanged', async () => {
    const r = await createRelay(te)
    const other = await createRelay(te)
    const owner = await authedRelay(te.url(r.host), r.owner)
    const note = sign(r.owner, { kind: 1, content: 'retained' })
    expect(await publish(owner, note)).toBe('ok:')
    owner.close()
    const otherOwner = await authedRelay(te.url(other.host), other.owner)
    expect(await publish(otherOwner, sign(other.owner, { kind: 1, content: 'other' }))).toBe('ok:')
    otherOwner.close()
    const otherBefore = exportIds(other.id)

    const client = await RawClient.open(te.url(r.host))
    const del = await te.api('DELETE', `/relay/${r.id}`)
    expect(del.status).toBe(200)
    expect(del.json()).toEqual({ message: 'relay deleted successfully' })
    expect((await client.closed).code).toBe(1001)
    expect((await httpRequest(te.port, { host: r.host })).status).toBe(404)
    expect((await te.api('DELETE', `/relay/${r.id}`)).status).toBe(404)
    expect((await te.api('GET', `/relay/${r.id}/members`)).status).toBe(404)
    // the host is free again for another relay... and the same id re-attaches its data
    expect((await te.api('POST', `/relay/${r.id}`, r.config)).status).toBe(201)
    const back = await authedRelay(te.url(r.host), r.owner)
    expect((await query(back, [{ ids: [note.id] }])).map((e) => e.id)).toEqual([note.id])
    back.close()

    expect((await te.api('DELETE', `/relay/${r.id}?purge=true`)).status).toBe(200)
    expect((await te.api('POST', `/relay/${r.id}`, r.config)).status).toBe(201)
    const fresh = await authedRelay(te.url(r.host), r.owner)
    expect(await query(fresh, [{ ids: [note.id] }])).toEqual([])
    fresh.close()
    expect(exportIds(other.id)).toEqual(otherBefore)

    // DELETE ?purge=true on an id with only retained data → 200, data purged
    expect((await te.api('DELETE', `/relay/${r.id}`)).status).toBe(200)
    expect((await te.api('DELETE', `/relay/${r.id}?purge=true`)).status).toBe(200)
    expect((await te.api('DELETE', `/relay/${r.id}?purge=true`)).status).toBe(404)
  })
})

describe('export → purge → import', () => {
  it('round trip through the engine handle keeps every id; bad lines are counted with line numbers', async () => {
    const r = await createRelay(te, { policy: { public_join: true } })
    const user = keys()
    await joinAndPost(r, user, 'one')
    await joinAndPost(r, user, 'two')
    const owner = await authedRelay(te.url(r.host), r.owner)
    expect(await publish(owner, sign(r.owner, { kind: 0, content: '{"name":"o"}' }))).toBe('ok:')
    owner.close()

    const lines: string[] = []
    te.handle.exportRelay(r.id, (l) => lines.push(l))
    const ids = lines.map((l) => JSON.parse(l).id)
    const times = lines.map((l) => JSON.parse(l).created_at)
    expect(times).toEqual([...times].sort((x, y) => x - y))
    expect(lines.some((l) => JSON.parse(l).kind === 13534)).toBe(true)

    te.handle.purgeRelay(r.id)
    expect(exportIds(r.id)).not.toEqual(ids)
    expect((await te.api('GET', `/relay/${r.id}/members`)).json().members).not.toContain(user.pk)

    const withBad = [...lines.slice(0, 2), '{broken', lines[2]!.replace(/"content":"/, '"content":"x'), ...lines.slice(2)]
    const summary = await te.handle.importRelay(r.id, withBad, { reset: true })
    expect(summary.accepted).toBe(lines.length)
    expect(summary.refused.map((x) => x.line)).toEqual([3, 4])
    expect(exportIds(r.id)).toEqual(ids)
    // state came back with the events: the user is a member again
    expect((await te.api('GET', `/relay/${r.id}/members`)).json().members).toContain(user.pk)
  })

  it('CLI export | purge | import on a stopped engine’s data dir', async () => {
    const dir = tempDir()
    const local = await startTestEngine(dir)
    const r = await createRelay(local, {})
    const owner = await authedRelay(local.url(r.host), r.owner)
    for (let i = 0; i < 5; i++) expect(await publish(owner, sign(r.owner, { kind: 1, content: `n${i}` }))).toBe('ok:')
    owner.close()
    await local.close()

    const file = path.join(dir, 'export.jsonl')
    const run = (...args: string[]) => engineCommand().exitOverride().parseAsync(args, { from: 'user' })
    const stdout: string[] = []
    const origWrite = process.stdout.write.bind(process.stdout)
    const origErr = process.stderr.write.bind(process.stderr)
    process.stdout.write = ((chunk: string) => (stdout.push(String(chunk)), true)) as typeof process.stdout.write
    process.stderr.write = (() => true) as typeof process.stderr.write
    try {
      await run('export', '--relay', r.id, '--out', file, '--data', dir)
      const exported = fs.readFileSync(file, 'utf8').trim().split('\n')
      expect(exported.length).toBeGreaterThanOrEqual(7) // 5 notes + 13534 + 8000s
      await run('purge', '--relay', r.id, '--data', dir)
      fs.appendFileSync(file, 'not json\n')
      await run('import', '--relay', r.id, '--in', file, '--data', dir)
      expect(stdout.join('')).toContain(`accepted ${exported.length}`)
      expect(stdout.join('')).toMatch(/refused 1 \(lines \d+\)/)
      const out2 = path.join(dir, 'export2.jsonl')
      await run('export', '--relay', r.id, '--out', out2, '--data', dir)
      expect(fs.readFileSync(out2, 'utf8').trim().split('\n')).toEqual(exported)
    } finally {
      process.stdout.write = origWrite
      process.stderr.write = origErr
    }
  })
})

describe('restart (row 20)', () => {
  it('after a restart every active relay serves its previous events and membership', async () => {
    const dir = tempDir()
    const local = await startTestEngine(dir)
    const r = await createRelay(local, { policy: { public_join: true } })
    const paused = await createRelay(local)
    expect((await local.api('PATCH', `/relay/${paused.id}`, { inactive: true })).status).toBe(200)
    const user = keys()
    const relay = await authedRelay(local.url(r.host), user)
    expect(await publish(relay, sign(user, { kind: 28934 }))).toMatch(/^ok:info:/)
    const note = sign(user, { kind: 1, content: 'durable' })
    expect(await publish(relay, note)).toBe('ok:')
    relay.close()
    expect((await local.api('PATCH', `/relay/${r.id}`, { info: { name: 'Renamed' } })).status).toBe(200)

    await local.restart()

    const again = await authedRelay(local.url(r.host), user)
    expect((await query(again, [{ ids: [note.id] }])).map((e) => e.id)).toEqual([note.id])
    again.close()
    const doc = (await httpRequest(local.port, { host: r.host, headers: { accept: 'application/nostr+json' } })).json()
    expect(doc.name).toBe('Renamed')
    expect((await local.api('GET', `/relay/${r.id}/members`)).json().members).toContain(user.pk)
    expect((await httpRequest(local.port, { host: paused.host })).status).toBe(404)
    // configs persist: the same id still conflicts
    expect((await local.api('POST', `/relay/${r.id}`, r.config)).status).toBe(409)
    await local.close()
    // the catalog holds secrets: owner-only file mode; each relay has its own database file
    expect(fs.statSync(path.join(dir, 'catalog.sqlite')).mode & 0o777).toBe(0o600)
    expect(fs.existsSync(path.join(dir, 'relays', `${r.id}.sqlite`))).toBe(true)
    expect(fs.existsSync(path.join(dir, 'relays', `${paused.id}.sqlite`))).toBe(true)
  })
})
