// NIP-98 on the real API: every way a token can be wrong is a 401 with its own code, and nothing changes.
import { finalizeEvent, type EventTemplate } from 'nostr-tools/pure'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../src/nostr/nip98.js'
import { VerifyPool } from '../../src/nostr/verify-pool.js'
import { createHarness, send, SERVER_URL, type Harness, type User } from '../helpers/platform.js'
import { snapshot } from '../helpers/snapshot.js'

let h: Harness
let user: User
let pool: VerifyPool | undefined

// Every case runs twice: signatures checked on the event loop, and by the worker-thread pool `caravel serve` uses.
describe.each([
  ['on the event loop', 0],
  ['in the verification pool', 2],
])('NIP-98 (signatures checked %s)', (_where, threads) => {
  beforeAll(async () => {
    pool = threads > 0 ? new VerifyPool(threads) : undefined
    h = await createHarness({}, { verifyPool: pool })
    user = h.user()
  })
  afterAll(async () => {
    await h.close()
    await pool?.close()
  })

  const now = () => Math.floor(Date.now() / 1000)
  const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64')

  function token(overrides: Partial<EventTemplate> & { tags?: string[][] }, sk = user.sk) {
    return finalizeEvent({ kind: 27235, created_at: now(), content: '', tags: [], ...overrides }, sk)
  }

  const body = JSON.stringify({ subdomain: 'nip98-target', plan: 'free' })
  const url = `${SERVER_URL}/api/relays`
  const good = (extra: string[][] = []) => [['u', url], ['method', 'POST'], ['payload', sha256Hex(body)], ...extra]

  async function post(authorization: string, path = '/api/relays', raw: string | undefined = body) {
    return send(h.app, 'POST', path, raw, { authorization, 'content-type': 'application/json' })
  }

  describe('NIP-98 negatives', () => {
    const cases: [string, () => string, string][] = [
      ['wrong kind', () => `Nostr ${b64(token({ kind: 1, tags: good() }))}`, 'auth-kind'],
      [
        'bad signature',
        () => {
          const e = token({ tags: good() })
          return `Nostr ${b64({ ...e, sig: e.sig.replace(/^./, e.sig[0] === 'a' ? 'b' : 'a') })}`
        },
        'auth-signature',
      ],
      [
        'edited after signing',
        () => {
          const e = token({ tags: good() })
          return `Nostr ${b64({ ...e, created_at: e.created_at + 1 })}`
        },
        'auth-signature',
      ],
      ['wrong u: other host', () => `Nostr ${b64(token({ tags: [['u', 'http://evil.example:2892/api/relays'], ['method', 'POST'], ['payload', sha256Hex(body)]] }))}`, 'auth-url'],
      ['wrong u: other path', () => `Nostr ${b64(token({ tags: [['u', `${SERVER_URL}/api/tenants`], ['method', 'POST'], ['payload', sha256Hex(body)]] }))}`, 'auth-url'],
      ['wrong u: trailing slash', () => `Nostr ${b64(token({ tags: [['u', `${SERVER_URL}/api/relays/`], ['method', 'POST'], ['payload', sha256Hex(body)]] }))}`, 'auth-url'],
      ['missing method', () => `Nostr ${b64(token({ tags: [['u', url], ['payload', sha256Hex(body)]] }))}`, 'auth-method'],
      ['wrong method', () => `Nostr ${b64(token({ tags: [['u', url], ['method', 'PUT'], ['payload', sha256Hex(body)]] }))}`, 'auth-method'],
      ['stale created_at', () => `Nostr ${b64(token({ created_at: now() - 120, tags: good() }))}`, 'auth-expired'],
      ['future created_at', () => `Nostr ${b64(token({ created_at: now() + 120, tags: good() }))}`, 'auth-expired'],
      ['missing payload', () => `Nostr ${b64(token({ tags: [['u', url], ['method', 'POST']] }))}`, 'auth-payload-missing'],
      ['wrong payload', () => `Nostr ${b64(token({ tags: [['u', url], ['method', 'POST'], ['payload', sha256Hex('{}')]] }))}`, 'auth-payload'],
      ['malformed base64', () => 'Nostr %%%not-base64%%%', 'auth-malformed'],
      ['malformed JSON', () => `Nostr ${b64('{"kind":27235,')}`, 'auth-malformed'],
      ['JSON that is not an event', () => `Nostr ${b64([1, 2, 3])}`, 'auth-malformed'],
      ['other scheme', () => `Bearer ${b64(token({ tags: good() }))}`, 'auth-malformed'],
      ['oversized header', () => `Nostr ${b64(token({ tags: [...good(), ['x', 'y'.repeat(9000)]] }))}`, 'auth-malformed'],
    ]

    for (const [name, header, code] of cases) {
      it(`${name} → 401 ${code}`, async () => {
        const before = await snapshot(h.platform.db)
        const res = await post(header())
        expect(res.status).toBe(401)
        expect(res.body.code).toBe(code)
        expect(res.headers.get('www-authenticate')).toBe('Nostr')
        expect(await snapshot(h.platform.db)).toBe(before)
      })
    }

    it('missing query string in u → 401 auth-url', async () => {
      const e = token({ tags: [['u', `${SERVER_URL}/api/relays`], ['method', 'GET']] })
      const res = await send(h.app, 'GET', '/api/relays?limit=5', undefined, { authorization: `Nostr ${b64(e)}` })
      expect(res.body.code).toBe('auth-url')
      const ok = token({ tags: [['u', `${SERVER_URL}/api/relays?limit=5`], ['method', 'GET']] })
      expect((await send(h.app, 'GET', '/api/relays?limit=5', undefined, { authorization: `Nostr ${b64(ok)}` })).status).toBe(200)
    })

    it('a payload tag without a body must be the empty hash', async () => {
      const wrong = token({ tags: [['u', `${SERVER_URL}/api/identity`], ['method', 'GET'], ['payload', sha256Hex('x')]] })
      expect((await send(h.app, 'GET', '/api/identity', undefined, { authorization: `Nostr ${b64(wrong)}` })).body.code).toBe('auth-payload')
      const empty = token({ tags: [['u', `${SERVER_URL}/api/identity`], ['method', 'GET'], ['payload', sha256Hex('')]] })
      expect((await send(h.app, 'GET', '/api/identity', undefined, { authorization: `Nostr ${b64(empty)}` })).status).toBe(200)
    })

    it('a replayed event id → 401 auth-replay, and the first use worked', async () => {
      const header = `Nostr ${b64(token({ tags: good() }))}`
      const first = await post(header)
      expect(first.status).toBe(201)
      const before = await snapshot(h.platform.db)
      const again = await post(header)
      expect(again.status).toBe(401)
      expect(again.body.code).toBe('auth-replay')
      expect(await snapshot(h.platform.db)).toBe(before)
    })

    it('a header with no token → 401 auth-missing on a guarded route', async () => {
      const res = await send(h.app, 'GET', '/api/identity')
      expect(res.status).toBe(401)
      expect(res.body.code).toBe('auth-missing')
    })
  })
})
