// Every route × {anonymous, another tenant, the owner, an admin} → the expected status, and no response
// to another tenant carries the owner's data. A route missing from this table fails the test.
// Billing is off here: its routes answer 409 `billing-disabled` once the guard lets the caller through.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness, send, type Harness, type User } from '../helpers/platform.js'

type Caller = 'anonymous' | 'other' | 'owner' | 'admin'

interface Fixture {
  owner: User
  relayId: string
}

interface Case {
  method: string
  path: string
  /** Path to call, filled from a fresh fixture. */
  call: (f: Fixture) => { path: string; body?: unknown }
  expect: Record<Caller, number>
}

const everyone = { anonymous: 200, other: 200, owner: 200, admin: 200 }
const signedIn = (ok: number) => ({ anonymous: 401, other: ok, owner: ok, admin: ok })
const adminOnly = { anonymous: 401, other: 403, owner: 403, admin: 200 }
const ownerOrAdmin = (ok: number) => ({ anonymous: 401, other: 403, owner: ok, admin: ok })

let n = 0
const fresh = () => `matrix-${++n}-${Math.random().toString(36).slice(2, 8)}`

const cases: Case[] = [
  { method: 'GET', path: '/plans', call: () => ({ path: '/api/plans' }), expect: everyone },
  { method: 'GET', path: '/plans/{id}', call: () => ({ path: '/api/plans/free' }), expect: everyone },
  { method: 'GET', path: '/config', call: () => ({ path: '/api/config' }), expect: everyone },
  { method: 'GET', path: '/subdomains/{subdomain}', call: () => ({ path: `/api/subdomains/${fresh()}` }), expect: everyone },
  { method: 'GET', path: '/identity', call: () => ({ path: '/api/identity' }), expect: signedIn(200) },
  { method: 'GET', path: '/session', call: () => ({ path: '/api/session' }), expect: everyone },
  { method: 'POST', path: '/session', call: () => ({ path: '/api/session' }), expect: signedIn(201) },
  { method: 'DELETE', path: '/session', call: () => ({ path: '/api/session' }), expect: signedIn(204) },
  { method: 'GET', path: '/tenants', call: () => ({ path: '/api/tenants' }), expect: adminOnly },
  // The admin and the other tenant do not exist as tenants yet: their call creates them (201); the owner exists (200).
  { method: 'POST', path: '/tenants', call: () => ({ path: '/api/tenants' }), expect: { anonymous: 401, other: 201, owner: 200, admin: 201 } },
  { method: 'GET', path: '/tenants/{pubkey}', call: (f) => ({ path: `/api/tenants/${f.owner.pubkey}` }), expect: ownerOrAdmin(200) },
  { method: 'PUT', path: '/tenants/{pubkey}', call: (f) => ({ path: `/api/tenants/${f.owner.pubkey}`, body: { nwc_url: null } }), expect: ownerOrAdmin(200) },
  { method: 'GET', path: '/tenants/{pubkey}/relays', call: (f) => ({ path: `/api/tenants/${f.owner.pubkey}/relays` }), expect: ownerOrAdmin(200) },
  { method: 'POST', path: '/stripe/webhook', call: () => ({ path: '/api/stripe/webhook', body: {} }), expect: { anonymous: 409, other: 409, owner: 409, admin: 409 } },
  { method: 'POST', path: '/tenants/{pubkey}/portal', call: (f) => ({ path: `/api/tenants/${f.owner.pubkey}/portal` }), expect: ownerOrAdmin(409) },
  { method: 'GET', path: '/tenants/{pubkey}/invoices', call: (f) => ({ path: `/api/tenants/${f.owner.pubkey}/invoices` }), expect: ownerOrAdmin(200) },
  { method: 'POST', path: '/invoices/{id}/lightning', call: () => ({ path: '/api/invoices/in_test/lightning' }), expect: signedIn(409) },
  { method: 'GET', path: '/invoices/{id}/lightning', call: () => ({ path: '/api/invoices/in_test/lightning' }), expect: signedIn(409) },
  { method: 'GET', path: '/relays', call: () => ({ path: '/api/relays' }), expect: signedIn(200) },
  { method: 'POST', path: '/relays', call: () => ({ path: '/api/relays', body: { subdomain: fresh(), plan: 'free' } }), expect: signedIn(201) },
  { method: 'GET', path: '/relays/{id}', call: (f) => ({ path: `/api/relays/${f.relayId}` }), expect: ownerOrAdmin(200) },
  { method: 'PUT', path: '/relays/{id}', call: (f) => ({ path: `/api/relays/${f.relayId}`, body: { info_name: 'x' } }), expect: ownerOrAdmin(200) },
  { method: 'POST', path: '/relays/{id}/deactivate', call: (f) => ({ path: `/api/relays/${f.relayId}/deactivate` }), expect: ownerOrAdmin(200) },
  // A fresh relay is active, so activating it is refused after the guard lets the caller through.
  { method: 'POST', path: '/relays/{id}/activate', call: (f) => ({ path: `/api/relays/${f.relayId}/activate` }), expect: ownerOrAdmin(400) },
  { method: 'GET', path: '/relays/{id}/members', call: (f) => ({ path: `/api/relays/${f.relayId}/members` }), expect: ownerOrAdmin(200) },
  { method: 'POST', path: '/relays/{id}/sync', call: (f) => ({ path: `/api/relays/${f.relayId}/sync` }), expect: adminOnly },
  { method: 'GET', path: '/engines', call: () => ({ path: '/api/engines' }), expect: adminOnly },
  // The fixture relay is on the only engine: past the guard, moving it there is 409 (not synced / already there).
  { method: 'POST', path: '/relays/{id}/move', call: (f) => ({ path: `/api/relays/${f.relayId}/move`, body: { engine: 'embedded' } }), expect: { anonymous: 401, other: 403, owner: 403, admin: 409 } },
  // Management is off on fixture relays: past the guard, member and ban changes answer 409 `management-disabled`.
  { method: 'POST', path: '/relays/{id}/members', call: (f) => ({ path: `/api/relays/${f.relayId}/members`, body: { pubkey: 'a'.repeat(64) } }), expect: ownerOrAdmin(409) },
  { method: 'DELETE', path: '/relays/{id}/members/{pubkey}', call: (f) => ({ path: `/api/relays/${f.relayId}/members/${'a'.repeat(64)}` }), expect: ownerOrAdmin(409) },
  { method: 'GET', path: '/relays/{id}/bans', call: (f) => ({ path: `/api/relays/${f.relayId}/bans` }), expect: ownerOrAdmin(409) },
  { method: 'POST', path: '/relays/{id}/bans', call: (f) => ({ path: `/api/relays/${f.relayId}/bans`, body: { pubkey: 'a'.repeat(64) } }), expect: ownerOrAdmin(409) },
  { method: 'DELETE', path: '/relays/{id}/bans/{pubkey}', call: (f) => ({ path: `/api/relays/${f.relayId}/bans/${'a'.repeat(64)}` }), expect: ownerOrAdmin(409) },
  { method: 'POST', path: '/relays/{id}/banned-events', call: (f) => ({ path: `/api/relays/${f.relayId}/banned-events`, body: { id: 'b'.repeat(64) } }), expect: ownerOrAdmin(409) },
  { method: 'DELETE', path: '/relays/{id}/banned-events/{eventId}', call: (f) => ({ path: `/api/relays/${f.relayId}/banned-events/${'b'.repeat(64)}` }), expect: ownerOrAdmin(409) },
  { method: 'GET', path: '/relays/{id}/banned-events', call: (f) => ({ path: `/api/relays/${f.relayId}/banned-events` }), expect: ownerOrAdmin(409) },
  // Not synced yet (no engine here): the engine-backed routes answer 409 `relay-not-synced` past the guard.
  { method: 'GET', path: '/relays/{id}/invites', call: (f) => ({ path: `/api/relays/${f.relayId}/invites` }), expect: ownerOrAdmin(409) },
  { method: 'POST', path: '/relays/{id}/invites', call: (f) => ({ path: `/api/relays/${f.relayId}/invites`, body: { label: 'x' } }), expect: ownerOrAdmin(409) },
  { method: 'DELETE', path: '/relays/{id}/invites/{code}', call: (f) => ({ path: `/api/relays/${f.relayId}/invites/ABCD1234` }), expect: ownerOrAdmin(409) },
  { method: 'GET', path: '/relays/{id}/stats', call: (f) => ({ path: `/api/relays/${f.relayId}/stats` }), expect: ownerOrAdmin(409) },
  { method: 'GET', path: '/relays/{id}/export', call: (f) => ({ path: `/api/relays/${f.relayId}/export` }), expect: ownerOrAdmin(409) },
  { method: 'POST', path: '/relays/{id}/import', call: (f) => ({ path: `/api/relays/${f.relayId}/import`, body: {} }), expect: ownerOrAdmin(409) },
  { method: 'GET', path: '/relays/{id}/activity', call: (f) => ({ path: `/api/relays/${f.relayId}/activity` }), expect: ownerOrAdmin(200) },
]

let h: Harness

beforeAll(async () => {
  h = await createHarness()
})
afterAll(() => h.close())

async function fixture(): Promise<Fixture> {
  const owner = h.user()
  const res = await owner.request('POST', '/api/relays', { subdomain: fresh(), plan: 'basic', info_name: 'Private Club' })
  return { owner, relayId: res.body.data.id }
}

describe('authorization matrix', () => {
  it('covers every route in the OpenAPI document', async () => {
    const doc: any = await (await h.app.request('/api/openapi.json')).json()
    const documented = Object.entries(doc.paths as Record<string, object>).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    )
    expect(cases.map((c) => `${c.method} ${c.path}`).sort()).toEqual(documented.sort())
  })

  for (const c of cases) {
    for (const caller of ['anonymous', 'other', 'owner', 'admin'] as Caller[]) {
      it(`${c.method} ${c.path} as ${caller} → ${c.expect[caller]}`, async () => {
        const f = await fixture()
        const { path, body } = c.call(f)
        const raw = body === undefined ? undefined : JSON.stringify(body)
        let res
        if (caller === 'anonymous') {
          res = await send(h.app, c.method, path, raw, raw ? { 'content-type': 'application/json' } : {})
        } else {
          const who = caller === 'owner' ? f.owner : caller === 'admin' ? h.admin : h.user()
          res = await who.request(c.method, path, body)
        }
        expect(res.status, JSON.stringify(res.body)).toBe(c.expect[caller])
        if (caller === 'other' || caller === 'anonymous') {
          const text = JSON.stringify(res.body ?? '')
          expect(text).not.toContain(f.relayId)
          if (!path.includes(f.owner.pubkey)) expect(text).not.toContain(f.owner.pubkey)
          expect(text).not.toContain('Private Club')
        }
        if (res.status >= 400) expect(res.body.code).toMatch(/^[a-z0-9-]+$/)
      })
    }
  }
})
