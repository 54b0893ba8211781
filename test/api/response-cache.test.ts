// Session-cookie GETs answered from memory (api/response-cache.ts): only the same session asking the same URL,
// only while nothing has been committed since and the session is alive; everything else takes the full path.
import { afterEach, describe, expect, it } from 'vitest'
import { ResponseCache } from '../../src/api/response-cache.js'
import { createHarness, send, SERVER_URL, type Harness, type User } from '../helpers/platform.js'

let h: Harness
let cache: ResponseCache

// SQLite explicitly (also in the PostgreSQL run): PostgreSQL has no data version, and nothing is cached there.
async function start(env: Record<string, string> = {}): Promise<void> {
  cache = new ResponseCache({ dataVersion: () => h.platform.db.dataVersion() })
  h = await createHarness({ DATABASE_URL: '', ...env }, { responseCache: cache })
}

afterEach(() => h.close())

async function tenantWithRelays(n: number): Promise<User> {
  const u = h.user()
  for (let i = 0; i < n; i++) {
    const res = await u.request('POST', '/api/relays', { subdomain: `rc-${i}-${u.pubkey.slice(0, 8)}`, plan: 'free' })
    expect(res.status).toBe(201)
  }
  await u.signIn()
  return u
}

const relays = (u: User) => `/api/tenants/${u.pubkey}/relays`

describe('response cache', () => {
  it('answers a repeated GET with the same bytes and headers, without running the route again', async () => {
    await start()
    const u = await tenantWithRelays(2)
    const first = await u.request('GET', relays(u))
    const fills = cache.stats.fills
    const hits = cache.stats.hits
    const second = await u.request('GET', relays(u))
    expect(first.status).toBe(200)
    expect(second.body).toEqual(first.body)
    expect(second.headers.get('content-type')).toBe(first.headers.get('content-type'))
    expect(second.headers.get('vary')).toBe('Origin')
    expect([cache.stats.fills, cache.stats.hits]).toEqual([fills, hits + 1])
    // Another URL (a page size) is another entry.
    expect((await u.request('GET', `${relays(u)}?limit=1`)).body.data.items).toHaveLength(1)
    expect(cache.stats.hits).toBe(hits + 1)
  })

  it('never serves an answer once anything was committed', async () => {
    await start()
    const u = await tenantWithRelays(1)
    expect((await u.request('GET', relays(u))).body.data.items).toHaveLength(1)
    const added = await u.request('POST', '/api/relays', { subdomain: `rc-new-${u.pubkey.slice(0, 8)}`, plan: 'free' })
    expect(added.status).toBe(201)
    expect((await u.request('GET', relays(u))).body.data.items).toHaveLength(2)
  })

  it("keeps one caller's answers from another: another tenant's cookie on the same URL is refused", async () => {
    await start()
    const owner = await tenantWithRelays(1)
    const other = await tenantWithRelays(0)
    await owner.request('GET', relays(owner))
    await owner.request('GET', relays(owner))
    const res = await send(h.app, 'GET', relays(owner), undefined, { cookie: other.cookie! })
    expect([res.status, res.body.code]).toEqual([403, 'forbidden'])
  })

  it('stops answering for a session that logged out', async () => {
    await start()
    const u = await tenantWithRelays(1)
    const cookie = u.cookie!
    await u.request('GET', relays(u))
    expect((await u.request('DELETE', '/api/session')).status).toBe(204)
    const res = await send(h.app, 'GET', relays(u), undefined, { cookie })
    expect([res.status, res.body.code]).toEqual([401, 'session-invalid'])
  })

  it('stops answering for a session that expired, though nothing was committed', async () => {
    await start({ SESSION_TTL_SECONDS: '1' })
    const u = await tenantWithRelays(1)
    expect((await u.request('GET', relays(u))).status).toBe(200)
    expect((await u.request('GET', relays(u))).status).toBe(200)
    const hits = cache.stats.hits
    await new Promise((resolve) => setTimeout(resolve, 2100))
    const res = await u.request('GET', relays(u))
    expect([res.status, res.body.code]).toEqual([401, 'session-invalid'])
    expect(cache.stats.hits).toBe(hits)
  })

  it("stops answering for an admin whose admin rights were taken away", async () => {
    await start()
    const tenant = await tenantWithRelays(1)
    const operator = h.user()
    await operator.signIn()
    await h.platform.commands.addAdmin(operator.pubkey)
    expect((await operator.request('GET', relays(tenant))).status).toBe(200)
    expect((await operator.request('GET', relays(tenant))).status).toBe(200)
    await h.platform.commands.removeAdmin(operator.pubkey)
    const res = await operator.request('GET', relays(tenant))
    expect([res.status, res.body.code]).toEqual([403, 'forbidden'])
  })

  it('leaves NIP-98 requests, requests with an Origin and routes that did not opt in to the full path', async () => {
    await start()
    const u = await tenantWithRelays(1)
    await u.request('GET', relays(u))
    await u.request('GET', relays(u))
    const hits = cache.stats.hits
    // CORS: the answer carries the origin's headers, so it is computed.
    const cors = await send(h.app, 'GET', relays(u), undefined, { cookie: u.cookie!, origin: SERVER_URL })
    expect(cors.headers.get('access-control-allow-origin')).toBe(SERVER_URL)
    // NIP-98: each token is checked (a fresh signature, a used id).
    const signed = h.user()
    Object.assign(signed, { sk: u.sk, pubkey: u.pubkey })
    expect((await signed.request('GET', relays(u))).status).toBe(200)
    // A route without `cache: true`.
    await u.request('GET', `/api/tenants/${u.pubkey}`)
    await u.request('GET', `/api/tenants/${u.pubkey}`)
    expect(cache.stats.hits).toBe(hits)
  })
})
