import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  checkNip98Claims,
  checkNip98Payload,
  decodeNip98Header,
  EMPTY_PAYLOAD_HASH,
  Nip98Error,
  nip98Header,
} from './nip98.js'
import { initVerifier } from './verify.js'

const sk = generateSecretKey()
const sign = (t: Parameters<typeof finalizeEvent>[0]) => finalizeEvent(t, sk)
const url = 'http://localhost:2892/api/relays?x=1'

function reason(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    if (err instanceof Nip98Error) return err.reason
    throw err
  }
  return undefined
}

describe('nip98', () => {
  beforeAll(() => initVerifier())

  it('accepts a well-formed token and returns the signer', () => {
    const body = '{"a":1}'
    const event = decodeNip98Header(nip98Header(sign, { url, method: 'post', body }))
    expect(event.pubkey).toBe(getPublicKey(sk))
    const now = Math.floor(Date.now() / 1000)
    expect(reason(() => checkNip98Claims(event, { urlMatches: (u) => u === url, method: 'POST', now }))).toBeUndefined()
    expect(reason(() => checkNip98Payload(event, Buffer.from(body)))).toBeUndefined()
  })

  it('rejects malformed headers', () => {
    expect(reason(() => decodeNip98Header(undefined))).toBe('missing')
    expect(reason(() => decodeNip98Header('Bearer abc'))).toBe('malformed')
    expect(reason(() => decodeNip98Header('Nostr !!!!'))).toBe('malformed')
    expect(reason(() => decodeNip98Header(`Nostr ${Buffer.from('{nope').toString('base64')}`))).toBe('malformed')
    expect(reason(() => decodeNip98Header(`Nostr ${'A'.repeat(9000)}`))).toBe('malformed')
  })

  it('rejects a wrong kind and an event edited after signing', () => {
    const wrongKind = finalizeEvent({ kind: 1, created_at: 1, tags: [], content: '' }, sk)
    expect(reason(() => decodeNip98Header(`Nostr ${Buffer.from(JSON.stringify(wrongKind)).toString('base64')}`))).toBe('kind')
    const header = nip98Header(sign, { url, method: 'GET' })
    const event = JSON.parse(Buffer.from(header.slice(6), 'base64').toString())
    event.tags[0][1] = 'http://evil.example/'
    expect(reason(() => decodeNip98Header(`Nostr ${Buffer.from(JSON.stringify(event)).toString('base64')}`))).toBe('signature')
  })

  it('checks url, method, time and payload', () => {
    const now = Math.floor(Date.now() / 1000)
    const event = decodeNip98Header(nip98Header(sign, { url, method: 'GET', createdAt: now - 61 }))
    expect(reason(() => checkNip98Claims(event, { urlMatches: () => false, method: 'GET', now }))).toBe('url')
    expect(reason(() => checkNip98Claims(event, { urlMatches: () => true, method: 'PUT', now }))).toBe('method')
    expect(reason(() => checkNip98Claims(event, { urlMatches: () => true, method: 'GET', now }))).toBe('expired')
    expect(reason(() => checkNip98Payload(event, Buffer.from('x')))).toBe('payload-missing')
    const withPayload = decodeNip98Header(nip98Header(sign, { url, method: 'POST', body: 'abc' }))
    expect(reason(() => checkNip98Payload(withPayload, Buffer.from('abd')))).toBe('payload')
    expect(reason(() => checkNip98Payload(withPayload, undefined))).toBe('payload')
    const emptyHash = finalizeEvent(
      { kind: 27235, created_at: now, content: '', tags: [['u', url], ['method', 'GET'], ['payload', EMPTY_PAYLOAD_HASH]] },
      sk,
    )
    expect(reason(() => checkNip98Payload(emptyHash, undefined))).toBeUndefined()
  })
})

describe('signEvent', () => {
  it('signs with the wasm signer once loaded: valid, and the template is left as it was', async () => {
    await initVerifier()
    const { signEvent, verifyFreshEvent } = await import('./verify.js')
    const template = { kind: 1, created_at: 1_700_000_000, tags: [['p', 'a'.repeat(64)]], content: 'hi' }
    const event = signEvent(template, sk)
    expect(event.pubkey).toBe(getPublicKey(sk))
    expect(verifyFreshEvent(JSON.parse(JSON.stringify(event)))).toBe(true)
    expect(template).toEqual({ kind: 1, created_at: 1_700_000_000, tags: [['p', 'a'.repeat(64)]], content: 'hi' })
  })
})
