// engine.md §4 and §7 rows 1–8, 19: the management HTTP API over real HTTP with signed NIP-98 requests.
import { describe, expect, it } from 'vitest'
import { finalizeEvent } from 'nostr-tools/pure'
import { nip98Header } from '../../src/nostr/nip98.js'
import {
  authedRelay,
  createRelay,
  httpRequest,
  keys,
  publish,
  query,
  RawClient,
  relaySetup,
  sign,
  suiteEngine,
} from './helpers.js'

const te = suiteEngine()

const nip11 = (host: string) => httpRequest(te.port, { host, headers: { accept: 'application/nostr+json' } })

describe('management API: create (row 1)', () => {
  it('POST valid config → 201 and a WebSocket opened right after receives AUTH', async () => {
    const r = relaySetup()
    const res = await te.api('POST', `/relay/${r.id}`, r.config)
    expect(res.status).toBe(201)
    expect(res.headers['content-type']).toBe('application/json')
    expect(res.json()).toEqual({ message: 'relay created successfully' })
    const client = await RawClient.open(te.url(r.host))
    expect(client.challenge).toMatch(/^[0-9a-f]{32,}$/)
    client.close()
  })

  it('unknown config keys are ignored', async () => {
    const r = relaySetup({ blossom: { enabled: false, s3: { bucket: 'x' } }, future_field: 1 })
    expect((await te.api('POST', `/relay/${r.id}`, r.config)).status).toBe(201)
  })
})

describe('management API: NIP-98 (row 2)', () => {
  const path = '/relay/nip98-probe/members'

  it('missing header → 401', async () => {
    const res = await httpRequest(te.port, { path, host: te.apiHost })
    expect(res.status).toBe(401)
    expect(res.json()).toEqual({ error: 'missing authorization header' })
  })

  it('malformed header and bad base64 → 401', async () => {
    const bad = await httpRequest(te.port, { path, host: te.apiHost, headers: { authorization: 'Bearer x' } })
    expect(bad.status).toBe(401)
    expect(bad.json().error).toBe('invalid authorization header format')
    const b64 = await httpRequest(te.port, { path, host: te.apiHost, headers: { authorization: 'Nostr !!!!' } })
    expect(b64.status).toBe(401)
    expect(b64.json().error).toMatch(/^invalid base64 encoding: /)
  })

  it('tampered signature → 401 invalid event signature', async () => {
    const header = nip98Header((t) => finalizeEvent(t, te.robot.sk), { url: `http://${te.apiHost}${path}`, method: 'GET' })
    const event = JSON.parse(Buffer.from(header.slice(6), 'base64').toString())
    event.sig = event.sig.replace(/^./, (c: string) => (c === 'a' ? 'b' : 'a'))
    const res = await httpRequest(te.port, {
      path,
      host: te.apiHost,
      headers: { authorization: `Nostr ${Buffer.from(JSON.stringify(event)).toString('base64')}` },
    })
    expect(res.status).toBe(401)
    expect(res.json().error).toBe('invalid event signature')
  })

  it('wrong kind → 401', async () => {
    const evt = finalizeEvent({ kind: 1, created_at: Math.floor(Date.now() / 1000), tags: [], content: '' }, te.robot.sk)
    const res = await httpRequest(te.port, {
      path,
      host: te.apiHost,
      headers: { authorization: `Nostr ${Buffer.from(JSON.stringify(evt)).toString('base64')}` },
    })
    expect(res.status).toBe(401)
    expect(res.json().error).toBe('invalid event kind: expected 27235, got 1')
  })

  it('u for another URL, or wrong method → 401', async () => {
    const wrongUrl = nip98Header((t) => finalizeEvent(t, te.robot.sk), { url: `http://${te.apiHost}/relay/other/members`, method: 'GET' })
    const r1 = await httpRequest(te.port, { path, host: te.apiHost, headers: { authorization: wrongUrl } })
    expect(r1.status).toBe(401)
    expect(r1.json().error).toBe('event missing or invalid u tag')
    const wrongMethod = nip98Header((t) => finalizeEvent(t, te.robot.sk), { url: `http://${te.apiHost}${path}`, method: 'POST' })
    const r2 = await httpRequest(te.port, { path, host: te.apiHost, headers: { authorization: wrongMethod } })
    expect(r2.status).toBe(401)
    expect(r2.json().error).toBe('event missing or invalid method tag')
  })

  it('created_at off by more than 60 s → 401', async () => {
    const res = await te.api('GET', path, undefined, { createdAt: Math.floor(Date.now() / 1000) - 120 })
    expect(res.status).toBe(401)
    expect(res.json().error).toBe('event created_at out of range')
  })

  it('missing or wrong payload → 401', async () => {
    const r = relaySetup()
    const missing = await te.api('POST', `/relay/${r.id}`, r.config, { noPayload: true })
    expect(missing.status).toBe(401)
    expect(missing.json().error).toBe('event missing or invalid payload tag')
    const body = JSON.stringify(r.config)
    const header = nip98Header((t) => finalizeEvent(t, te.robot.sk), { url: `http://${te.apiHost}/relay/${r.id}`, method: 'POST', body: body + ' ' })
    const wrong = await httpRequest(te.port, { method: 'POST', path: `/relay/${r.id}`, host: te.apiHost, headers: { authorization: header }, body })
    expect(wrong.status).toBe(401)
    expect(wrong.json().error).toBe('payload hash mismatch')
  })

  it('u with the identical raw query is accepted', async () => {
    const r = await createRelay(te)
    const p = `/relay/${r.id}/members?x=1`
    const header = nip98Header((t) => finalizeEvent(t, te.robot.sk), { url: `http://${te.apiHost}${p}`, method: 'GET' })
    const res = await httpRequest(te.port, { path: p, host: te.apiHost, headers: { authorization: header } })
    expect(res.status).toBe(200)
  })

  it('X-Forwarded-Proto: https makes the expected u https; X-Forwarded-Host is ignored', async () => {
    const r = await createRelay(te)
    const p = `/relay/${r.id}/members`
    const sign = (url: string) => nip98Header((t) => finalizeEvent(t, te.robot.sk), { url, method: 'GET' })
    const https = await httpRequest(te.port, {
      path: p,
      host: te.apiHost,
      headers: { authorization: sign(`https://${te.apiHost}${p}`), 'x-forwarded-proto': 'https' },
    })
    expect(https.status).toBe(200)
    const http = await httpRequest(te.port, {
      path: p,
      host: te.apiHost,
      headers: { authorization: sign(`http://${te.apiHost}${p}`), 'x-forwarded-proto': 'https' },
    })
    expect(http.status).toBe(401)
    const forwardedHost = await httpRequest(te.port, {
      path: p,
      host: te.apiHost,
      headers: { authorization: sign(`http://api.example${p}`), 'x-forwarded-host': 'api.example' },
    })
    expect(forwardedHost.status).toBe(401)
  })

  it('non-whitelisted signer → 403, checked before routing', async () => {
    const stranger = keys()
    const res = await te.api('GET', '/nowhere', undefined, { signer: stranger })
    expect(res.status).toBe(403)
    expect(res.json()).toEqual({ error: 'pubkey not in whitelist' })
  })

  it('body over 1 MiB → 413 before the payload check', async () => {
    const r = relaySetup()
    const big = JSON.stringify({ ...r.config, pad: 'x'.repeat(1_100_000) })
    const res = await te.api('POST', `/relay/${r.id}`, undefined, { rawBody: big, noPayload: true })
    expect(res.status).toBe(413)
    expect(res.json()).toEqual({ error: 'request body too large' })
  })
})

describe('management API: conflicts and validation (rows 3, 4)', () => {
  it('POST on an existing id, another relay’s host or schema → 409', async () => {
    const a = await createRelay(te)
    const again = await te.api('POST', `/relay/${a.id}`, a.config)
    expect(again.status).toBe(409)
    expect(again.json()).toEqual({ error: 'relay with this id already exists' })
    const b = relaySetup()
    const sameHost = await te.api('POST', `/relay/${b.id}`, { ...b.config, host: a.host })
    expect(sameHost.status).toBe(409)
    expect(sameHost.json()).toEqual({ error: `host "${a.host}" is already in use` })
    const sameSchema = await te.api('POST', `/relay/${b.id}`, { ...b.config, schema: a.config.schema })
    expect(sameSchema.status).toBe(409)
    expect(sameSchema.json()).toEqual({ error: `schema "${a.config.schema}" is already in use` })
  })

  it('inactive relays still reserve host and schema', async () => {
    const a = await createRelay(te)
    expect((await te.api('PATCH', `/relay/${a.id}`, { inactive: true })).status).toBe(200)
    const b = relaySetup()
    expect((await te.api('POST', `/relay/${b.id}`, { ...b.config, host: a.host })).status).toBe(409)
  })

  it.each([
    [{ info: { pubkey: '' } }, 'info.pubkey is required'],
    [{ schema: 'My-Relay' }, 'schema must match ^[a-z][a-z0-9_]*$'],
    [{ roles: { member: { can_manage: true } } }, 'roles.member.can_manage is not allowed'],
    [{ host: '' }, 'host is required'],
    [{ host: 'bad host!' }, 'host is invalid'],
    [{ secret: 'f'.repeat(64) }, 'secret is invalid'],
    [{ secret: undefined }, 'secret is required'],
    [{ info: { pubkey: 'ABC' } }, 'info.pubkey is invalid'],
    [{ roles: { mod: { pubkeys: ['nope'] } } }, 'roles.mod.pubkeys contains an invalid pubkey'],
    [{ roles: { ['x'.repeat(65)]: { pubkeys: [] } } }, 'role name is invalid'],
  ])('400 for %j', async (override, message) => {
    const r = relaySetup()
    const config = { ...r.config, ...override }
    const res = await te.api('POST', `/relay/${r.id}`, config)
    expect(res.status).toBe(400)
    expect(res.json()).toEqual({ error: message })
  })

  it('invalid JSON body → 400 invalid json', async () => {
    const r = relaySetup()
    const res = await te.api('POST', `/relay/${r.id}`, undefined, { rawBody: '{nope' })
    expect(res.status).toBe(400)
    expect(res.json().error).toMatch(/^invalid json: /)
  })

  it('PUT/PATCH cannot change schema or secret; unknown id → 404', async () => {
    const a = await createRelay(te)
    const schema = await te.api('PATCH', `/relay/${a.id}`, { schema: 'other_schema' })
    expect(schema.json()).toEqual({ error: 'schema cannot be changed' })
    const secret = await te.api('PUT', `/relay/${a.id}`, { ...a.config, secret: keys().secretHex })
    expect(secret.status).toBe(400)
    expect(secret.json()).toEqual({ error: 'secret cannot be changed' })
    const put = await te.api('PUT', `/relay/${a.id}`, { ...a.config, info: { ...a.config.info, name: 'Put' } })
    expect(put.status).toBe(200)
    expect(put.json()).toEqual({ message: 'relay updated successfully' })
    expect((await te.api('PUT', '/relay/unknown-id', a.config)).status).toBe(404)
    const missing = await te.api('PATCH', '/relay/unknown-id', { info: { name: 'x' } })
    expect(missing.status).toBe(404)
    expect(missing.json()).toEqual({ error: 'relay not found' })
  })
})

describe('management API: PATCH semantics (row 5)', () => {
  it('merges: name only, role removal by null, host null → 400', async () => {
    const mod = keys()
    const r = await createRelay(te, {
      roles: { mod: { pubkeys: [mod.pk], can_manage: true } },
      policy: { public_join: true },
    })
    const patched = await te.api('PATCH', `/relay/${r.id}`, { info: { name: 'B' } })
    expect(patched.status).toBe(200)
    expect(patched.json()).toEqual({ message: 'relay patched successfully' })
    const doc = (await nip11(r.host)).json()
    expect(doc.name).toBe('B')
    expect(doc.pubkey).toBe(r.owner.pk)

    // The mod is an admin (NIP-86 reachable) until the role is removed.
    const members = (await te.api('GET', `/relay/${r.id}/members`)).json().members
    expect(members).toContain(mod.pk)
    expect((await te.api('PATCH', `/relay/${r.id}`, { roles: { mod: null } })).status).toBe(200)
    const relay = await authedRelay(te.url(r.host), mod)
    // still a member (leaving a role does not end membership), so publishing works
    expect(await publish(relay, sign(mod, { kind: 1, content: 'still member' }))).toBe('ok:')
    relay.close()

    const hostNull = await te.api('PATCH', `/relay/${r.id}`, { host: null })
    expect(hostNull.status).toBe(400)
    expect(hostNull.json()).toEqual({ error: 'host is required' })
    const notObject = await te.api('PATCH', `/relay/${r.id}`, [1, 2])
    expect(notObject.status).toBe(400)
    expect(notObject.json().error).toMatch(/^invalid json: /)
    // policy.public_join null → back to default false
    expect((await te.api('PATCH', `/relay/${r.id}`, { policy: { public_join: null } })).status).toBe(200)
    const joiner = keys()
    const j = await authedRelay(te.url(r.host), joiner)
    expect(await publish(j, sign(joiner, { kind: 28934 }))).toBe('refused:invalid: failed to validate invite code')
    j.close()
  })
})

describe('liveness (§4.4)', () => {
  it('a PATCH governs gates and roles on already open connections', async () => {
    const r = await createRelay(te, { policy: { strip_signatures: true } })
    const newcomer = keys()
    const c = await RawClient.open(te.url(r.host))
    await c.auth(newcomer, r.host)
    expect((await c.req('before', { kinds: [1] })).end).toEqual(['CLOSED', 'before', 'restricted: you are not a member of this relay'])
    const owner = await authedRelay(te.url(r.host), r.owner)
    const note = sign(r.owner, { kind: 1, content: 'for the crew' })
    expect(await publish(owner, note)).toBe('ok:')
    owner.close()

    expect((await te.api('PATCH', `/relay/${r.id}`, { roles: { crew: { pubkeys: [newcomer.pk] } } })).status).toBe(200)
    const asMember = await c.req('member', { ids: [note.id] })
    expect(asMember.events.map((e) => e.sig)).toEqual(['0'.repeat(128)])
    expect((await te.api('PATCH', `/relay/${r.id}`, { roles: { crew: { can_manage: true } } })).status).toBe(200)
    const asAdmin = await c.req('admin', { ids: [note.id] })
    expect(asAdmin.events.map((e) => e.sig)).toEqual([note.sig])
    c.close()
  })
})

describe('management API: inactive (row 6)', () => {
  it('inactive → 404 and sockets closed before the 200; inactive:false restores data', async () => {
    const r = await createRelay(te)
    const owner = await authedRelay(te.url(r.host), r.owner)
    const note = sign(r.owner, { kind: 1, content: 'kept' })
    expect(await publish(owner, note)).toBe('ok:')
    owner.close()

    const client = await RawClient.open(te.url(r.host))
    const res = await te.api('PATCH', `/relay/${r.id}`, { inactive: true })
    expect(res.status).toBe(200)
    expect((await client.closed).code).toBe(1001)

    const page = await httpRequest(te.port, { host: r.host })
    expect(page.status).toBe(404)
    expect(page.text).toBe('404 Not Found')
    await expect(RawClient.open(te.url(r.host))).rejects.toThrow(/404/)
    // members works while inactive
    expect((await te.api('GET', `/relay/${r.id}/members`)).json().members).toContain(r.owner.pk)

    expect((await te.api('PATCH', `/relay/${r.id}`, { inactive: false })).status).toBe(200)
    const back = await authedRelay(te.url(r.host), r.owner)
    expect((await query(back, [{ ids: [note.id] }])).map((e) => e.id)).toEqual([note.id])
    back.close()
  })
})

describe('management API: routing (row 7)', () => {
  it('GET /relay/x → 405; /relay/ → 400; /other → 404', async () => {
    const get = await te.api('GET', '/relay/x')
    expect(get.status).toBe(405)
    expect(get.json()).toEqual({ error: 'method not allowed' })
    const postMembers = await te.api('POST', '/relay/x/members')
    expect(postMembers.status).toBe(405)
    const noId = await te.api('GET', '/relay/')
    expect(noId.status).toBe(400)
    expect(noId.json()).toEqual({ error: 'relay id is required' })
    expect((await te.api('GET', '/relay')).status).toBe(400)
    const other = await te.api('GET', '/other')
    expect(other.status).toBe(404)
    expect(other.json()).toEqual({ error: 'not found' })
  })

  it('GET /relay/{id}/members lists members ∪ self ∪ owner ∪ roles, sorted; unknown → 404', async () => {
    const mod = keys()
    const r = await createRelay(te, { roles: { mod: { pubkeys: [mod.pk] } } })
    const res = await te.api('GET', `/relay/${r.id}/members`)
    expect(res.status).toBe(200)
    expect(res.json().members).toEqual([r.self.pk, r.owner.pk, mod.pk].sort())
    expect((await te.api('GET', '/relay/nope/members')).status).toBe(404)
  })
})

describe('dispatch by Host (row 8)', () => {
  it('unknown host → 404; Host with :port reaches the relay host', async () => {
    const unknown = await httpRequest(te.port, { host: 'nobody.localhost' })
    expect(unknown.status).toBe(404)
    expect(unknown.text).toBe('404 Not Found')
    await expect(RawClient.open(te.url('nobody.localhost'))).rejects.toThrow(/404/)
    const r = await createRelay(te)
    const withPort = await httpRequest(te.port, { host: `${r.host}:${te.port}`, headers: { accept: 'application/nostr+json' } })
    expect(withPort.status).toBe(200)
    expect(withPort.json().self).toBe(r.self.pk)
    const upper = await httpRequest(te.port, { host: r.host.toUpperCase(), headers: { accept: 'application/nostr+json' } })
    expect(upper.json().self).toBe(r.self.pk)
  })

  it('a relay cannot claim the API host', async () => {
    const r = relaySetup()
    const res = await te.api('POST', `/relay/${r.id}`, { ...r.config, host: te.apiHost })
    expect(res.status).toBe(400)
    expect(res.json()).toEqual({ error: 'host is invalid' })
  })
})
