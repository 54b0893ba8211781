// Bad input on every write route → a 4xx with a machine code, never a 500, and the database unchanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness, type Harness, type User } from '../helpers/platform.js'
import { snapshot } from '../helpers/snapshot.js'

let h: Harness
let owner: User
let freeRelay: string
let basicRelay: string

beforeAll(async () => {
  h = await createHarness()
  owner = h.user()
  freeRelay = (await owner.request('POST', '/api/relays', { subdomain: 'bad-input-free', plan: 'free' })).body.data.id
  basicRelay = (await owner.request('POST', '/api/relays', { subdomain: 'bad-input-basic', plan: 'basic', blossom_enabled: true })).body.data.id
})
afterAll(() => h.close())

type Case = [name: string, method: string, path: () => string, body: unknown, status: number, code: string, headers?: Record<string, string>]

const relays = '/api/relays'
const cases: Case[] = [
  ['not JSON', 'POST', () => relays, 'subdomain=x', 415, 'unsupported-media-type', { 'content-type': 'application/x-www-form-urlencoded' }],
  ['malformed JSON', 'POST', () => relays, '{"subdomain": ', 400, 'invalid-json'],
  ['array body', 'POST', () => relays, [1, 2], 400, 'invalid-field'],
  ['null body', 'POST', () => relays, 'null', 400, 'invalid-field'],
  ['missing subdomain', 'POST', () => relays, { plan: 'free' }, 400, 'missing-field'],
  ['missing plan', 'POST', () => relays, { subdomain: 'fine-name' }, 400, 'missing-field'],
  ['subdomain of wrong type', 'POST', () => relays, { subdomain: 42, plan: 'free' }, 400, 'invalid-field'],
  ['toggle of wrong type', 'POST', () => relays, { subdomain: 'fine-name', plan: 'free', groups_enabled: 'true' }, 400, 'invalid-field'],
  ['huge body', 'POST', () => relays, { subdomain: 'fine-name', plan: 'free', info_description: 'x'.repeat(100_000) }, 413, 'body-too-large'],
  ['long subdomain string', 'POST', () => relays, { subdomain: 'a'.repeat(300), plan: 'free' }, 400, 'field-too-long'],
  ['long name', 'POST', () => relays, { subdomain: 'fine-name', plan: 'free', info_name: 'n'.repeat(65) }, 400, 'field-too-long'],
  ['long description', 'POST', () => relays, { subdomain: 'fine-name', plan: 'free', info_description: 'd'.repeat(2001) }, 400, 'field-too-long'],
  ['unknown field (secret)', 'POST', () => relays, { subdomain: 'fine-name', plan: 'free', secret: 'ab' }, 400, 'unknown-field'],
  ['too short', 'POST', () => relays, { subdomain: 'ab', plan: 'free' }, 422, 'invalid-subdomain'],
  ['too long', 'POST', () => relays, { subdomain: 'a'.repeat(64), plan: 'free' }, 422, 'invalid-subdomain'],
  ['uppercase', 'POST', () => relays, { subdomain: 'MyRelay', plan: 'free' }, 422, 'invalid-subdomain'],
  ['starts with a digit', 'POST', () => relays, { subdomain: '1relay', plan: 'free' }, 422, 'invalid-subdomain'],
  ['leading hyphen', 'POST', () => relays, { subdomain: '-relay', plan: 'free' }, 422, 'invalid-subdomain'],
  ['trailing hyphen', 'POST', () => relays, { subdomain: 'relay-', plan: 'free' }, 422, 'invalid-subdomain'],
  ['double hyphen', 'POST', () => relays, { subdomain: 'my--relay', plan: 'free' }, 422, 'invalid-subdomain'],
  ['underscore', 'POST', () => relays, { subdomain: 'my_relay', plan: 'free' }, 422, 'invalid-subdomain'],
  ['dot', 'POST', () => relays, { subdomain: 'my.relay', plan: 'free' }, 422, 'invalid-subdomain'],
  ['unicode', 'POST', () => relays, { subdomain: 'relé-club', plan: 'free' }, 422, 'invalid-subdomain'],
  ['reserved www', 'POST', () => relays, { subdomain: 'www', plan: 'free' }, 422, 'subdomain-reserved'],
  ['reserved admin', 'POST', () => relays, { subdomain: 'admin', plan: 'free' }, 422, 'subdomain-reserved'],
  ['unknown plan', 'POST', () => relays, { subdomain: 'fine-name', plan: 'platinum' }, 422, 'unknown-plan'],
  ['free plan with Blossom', 'POST', () => relays, { subdomain: 'fine-name', plan: 'free', blossom_enabled: true }, 422, 'plan-lacks-feature'],
  ['free plan with LiveKit', 'POST', () => relays, { subdomain: 'fine-name', plan: 'free', livekit_enabled: true }, 422, 'plan-lacks-feature'],
  ['icon not a URL', 'POST', () => relays, { subdomain: 'fine-name', plan: 'free', info_icon: 'not a url' }, 422, 'invalid-url'],
  ['icon javascript: URL', 'POST', () => relays, { subdomain: 'fine-name', plan: 'free', info_icon: 'javascript:alert(1)' }, 422, 'invalid-url'],
  ['tenant not a pubkey', 'POST', () => relays, { subdomain: 'fine-name', plan: 'free', tenant: 'bob' }, 400, 'invalid-pubkey'],
  ['taken subdomain', 'POST', () => relays, { subdomain: 'bad-input-free', plan: 'free' }, 409, 'subdomain-exists'],

  ['update: unknown plan', 'PUT', () => `${relays}/${freeRelay}`, { plan: 'gold' }, 422, 'unknown-plan'],
  ['update: Blossom on free', 'PUT', () => `${relays}/${freeRelay}`, { blossom_enabled: true }, 422, 'plan-lacks-feature'],
  ['update: downgrade with Blossom on', 'PUT', () => `${relays}/${basicRelay}`, { plan: 'free' }, 422, 'plan-lacks-feature'],
  ['update: subdomain is immutable', 'PUT', () => `${relays}/${freeRelay}`, { subdomain: 'other-name' }, 400, 'unknown-field'],
  ['update: status is not editable', 'PUT', () => `${relays}/${freeRelay}`, { status: 'inactive' }, 400, 'unknown-field'],
  ['update: name of wrong type', 'PUT', () => `${relays}/${freeRelay}`, { info_name: ['x'] }, 400, 'invalid-field'],
  ['update: bad icon', 'PUT', () => `${relays}/${freeRelay}`, { info_icon: 'ftp://x.example/icon.png' }, 422, 'invalid-url'],
  ['update: malformed JSON', 'PUT', () => `${relays}/${freeRelay}`, '{', 400, 'invalid-json'],
  ['update: unknown relay', 'PUT', () => `${relays}/nope`, { info_name: 'x' }, 404, 'relay-not-found'],
  ['update: huge id', 'PUT', () => `${relays}/${'x'.repeat(500)}`, { info_name: 'x' }, 404, 'relay-not-found'],

  ['tenant: nwc_url missing', 'PUT', () => `/api/tenants/${owner.pubkey}`, {}, 400, 'missing-field'],
  ['tenant: nwc_url of wrong type', 'PUT', () => `/api/tenants/${owner.pubkey}`, { nwc_url: 7 }, 400, 'invalid-field'],
  ['tenant: nwc_url not a wallet URI', 'PUT', () => `/api/tenants/${owner.pubkey}`, { nwc_url: 'nostr+walletconnect://abc' }, 422, 'invalid-nwc-url'],
  ['tenant: nwc_url without secret', 'PUT', () => `/api/tenants/${owner.pubkey}`, { nwc_url: `nostr+walletconnect://${'a'.repeat(64)}?relay=wss://r.example` }, 422, 'invalid-nwc-url'],
  ['tenant: huge nwc_url', 'PUT', () => `/api/tenants/${owner.pubkey}`, { nwc_url: 'x'.repeat(5000) }, 400, 'field-too-long'],
  ['tenant: path not a pubkey', 'PUT', () => '/api/tenants/someone', { nwc_url: null }, 400, 'invalid-pubkey'],
  ['tenant: nsec in the path', 'GET', () => '/api/tenants/nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5', undefined, 400, 'invalid-pubkey'],
  ['tenants: bad page size', 'GET', () => `/api/tenants/${owner.pubkey}/relays?limit=0`, undefined, 400, 'invalid-field'],
  ['tenants: page size too large', 'GET', () => `/api/tenants/${owner.pubkey}/relays?limit=100000`, undefined, 400, 'invalid-field'],
]

describe('bad input', () => {
  for (const [name, method, path, body, status, code, headers] of cases) {
    it(`${method} ${name} → ${status} ${code}`, async () => {
      const before = await snapshot(h.platform.db)
      const res = await owner.request(method, path(), body, headers)
      expect(res.status, JSON.stringify(res.body)).toBe(status)
      expect(res.body.code).toBe(code)
      expect(typeof res.body.error).toBe('string')
      expect(await snapshot(h.platform.db)).toBe(before)
    })
  }
})
