// The relay gateway's bounds: a relay that is down, or that accepts the connection and then says nothing, fails
// that relay only (with a reason), and every call still returns.
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocketServer } from 'ws'
import { finalizeEvent, generateSecretKey } from 'nostr-tools/pure'
import { RelayGateway } from '../../src/robot/nostr-relays.js'
import { DmRelay, deadRelayUrl } from '../helpers/dm-relay.js'

let silent: WebSocketServer
let silentUrl: string
let live: DmRelay
let dead: string
const gateway = new RelayGateway({ timeoutMs: 300 })
const event = finalizeEvent({ kind: 1, created_at: Math.floor(Date.now() / 1000), tags: [], content: 'hi' }, generateSecretKey())

beforeAll(async () => {
  silent = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise<void>((resolve) => silent.once('listening', () => resolve()))
  silentUrl = `ws://127.0.0.1:${(silent.address() as AddressInfo).port}`
  live = await new DmRelay().start()
  dead = await deadRelayUrl()
})

afterAll(async () => {
  for (const ws of silent.clients) ws.terminate()
  await new Promise<void>((resolve) => silent.close(() => resolve()))
  await live.close()
})

describe('RelayGateway', () => {
  it('publish: OK from the live relay, a reason for the silent and the dead one', async () => {
    const results = await gateway.publish([live.url, silentUrl, dead], event)
    expect(results.map((r) => r.ok)).toEqual([true, false, false])
    expect(results[1]!.message).toMatch(/timed out/)
    expect(results[2]!.message).toMatch(/^connect: /)
    expect(live.accepted.map((e) => e.id)).toEqual([event.id])
  })

  it('fetch: events from the relays that answered; the others listed as failed', async () => {
    const result = await gateway.fetch([live.url, silentUrl, dead], { ids: [event.id] })
    expect(result.events.map((e) => e.id)).toEqual([event.id])
    expect(result.answered).toEqual([live.url])
    expect(Object.keys(result.failed).sort()).toEqual([silentUrl, dead].sort())
    expect(result.failed[silentUrl]).toBe('no EOSE in time')
  })

  it('publish refused without AUTH when no signer is given', async () => {
    const authRelay = await new DmRelay({ auth: true }).start()
    const [result] = await gateway.publish([authRelay.url], event)
    expect(result).toMatchObject({ ok: false })
    expect(result!.message).toMatch(/^auth-required:/)
    await authRelay.close()
  })
})
