// NIP-86 list methods with Caravel's optional `[limit, after]` paging (docs/engine.md), over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRelay, keys, nip86, type RelaySetup, type TestEngine, startTestEngine } from './helpers.js'

let te: TestEngine
let r: RelaySetup
const banned: string[] = []
const bannedEvents: string[] = []
const allowed: string[] = []
beforeAll(async () => {
  te = await startTestEngine()
  r = await createRelay(te, { management: { enabled: true } })
  for (let i = 0; i < 250; i++) {
    const pk = keys().pk
    banned.push(pk)
    expect((await nip86(te, r.host, r.owner, 'banpubkey', [pk, `reason ${i}`])).json()).toEqual({ result: true })
  }
  for (let i = 0; i < 30; i++) {
    const id = keys().pk // any 64-hex id
    bannedEvents.push(id)
    expect((await nip86(te, r.host, r.owner, 'banevent', [id])).json()).toEqual({ result: true })
  }
  for (let i = 0; i < 25; i++) {
    const pk = keys().pk
    allowed.push(pk)
    expect((await nip86(te, r.host, r.owner, 'allowpubkey', [pk])).json()).toEqual({ result: true })
  }
  allowed.push(r.owner.pk, r.self.pk)
})
afterAll(async () => {
  await te?.close()
})

const call = async (method: string, params: unknown[]) => (await nip86(te, r.host, r.owner, method, params)).json()

/** Pages through a list method with `limit` until a short page; returns every page's keys. */
async function pages(method: string, key: 'pubkey' | 'id', limit: number): Promise<string[][]> {
  const out: string[][] = []
  let after: string | undefined
  for (;;) {
    const { result, error } = await call(method, after === undefined ? [limit] : [limit, after])
    expect(error).toBeUndefined()
    const keys = (result as Record<string, string>[]).map((e) => e[key]!)
    out.push(keys)
    if (keys.length < limit) return out
    after = keys.at(-1)
  }
}

describe('NIP-86 list paging', () => {
  it('listbannedpubkeys pages through 250 bans in ascending order, reasons kept', async () => {
    const got = await pages('listbannedpubkeys', 'pubkey', 100)
    expect(got.map((p) => p.length)).toEqual([100, 100, 50])
    expect(got.flat()).toEqual([...banned].sort())
    const all = (await call('listbannedpubkeys', [])).result as { pubkey: string; reason: string }[]
    expect(all.map((e) => e.pubkey)).toEqual([...banned].sort())
    const first = [...banned].sort()[0]!
    expect(all[0]).toEqual({ pubkey: first, reason: `reason ${banned.indexOf(first)}` })
    // after the last key: an empty page; after a key that is not in the list: from the next one up
    expect((await call('listbannedpubkeys', [10, all.at(-1)!.pubkey])).result).toEqual([])
    expect((await call('listbannedpubkeys', [1, '0'.repeat(64)])).result).toEqual([all[0]])
    expect((await call('listbannedpubkeys', [3, null])).result).toEqual(all.slice(0, 3))
  })

  it('listbannedevents and listallowedpubkeys page the same way', async () => {
    const events = await pages('listbannedevents', 'id', 7)
    expect(events.map((p) => p.length)).toEqual([7, 7, 7, 7, 2])
    expect(events.flat()).toEqual([...bannedEvents].sort())
    const members = await pages('listallowedpubkeys', 'pubkey', 10)
    expect(members.flat()).toEqual([...allowed].sort())
    expect(members.map((p) => p.length)).toEqual([10, 10, 7])
    expect((await call('listallowedpubkeys', [1000])).result).toHaveLength(27)
  })

  it.each([
    [[0], 'invalid params: limit must be an integer from 1 to 1000'],
    [[1001], 'invalid params: limit must be an integer from 1 to 1000'],
    [['10'], 'invalid params: limit must be an integer from 1 to 1000'],
    [[2.5], 'invalid params: limit must be an integer from 1 to 1000'],
    [[null, 'a'.repeat(64)], 'invalid params: limit must be an integer from 1 to 1000'],
    [[10, 'xyz'], 'invalid params: after must be a 64-character lower-case hex pubkey or event id'],
    [[10, 'A'.repeat(64)], 'invalid params: after must be a 64-character lower-case hex pubkey or event id'],
  ])('bad params %j → %s', async (params, error) => {
    for (const method of ['listbannedpubkeys', 'listbannedevents', 'listallowedpubkeys']) {
      expect(await call(method, params)).toEqual({ result: null, error })
    }
  })
})
