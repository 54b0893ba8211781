import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { authedRelay, createRelay, keys, publish, query, sign, startTestEngine, type TestEngine } from './helpers.js'

let te: TestEngine
beforeAll(async () => {
  te = await startTestEngine()
})
afterAll(async () => {
  await te?.close()
})

describe('smoke', () => {
  it('creates a relay, owner publishes and reads', async () => {
    const r = await createRelay(te)
    const relay = await authedRelay(te.url(r.host), r.owner)
    const note = sign(r.owner, { kind: 1, content: 'hello' })
    expect(await publish(relay, note)).toBe('ok:')
    const events = await query(relay, [{ kinds: [1] }])
    expect(events.map((e) => e.id)).toEqual([note.id])
    relay.close()
  })
})
