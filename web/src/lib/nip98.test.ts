import { describe, expect, it } from 'vitest'
import { sha256Hex, decodeNip98Header } from '../../../src/nostr/nip98'
import { initVerifier } from '../../../src/nostr/verify'
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { nip98Header, payloadHash } from './nip98'

describe('browser NIP-98', () => {
  it('hashes the exact body string it will send', () => {
    const body = JSON.stringify({ subdomain: 'café-club', plan: 'free' })
    expect(payloadHash(body)).toBe(sha256Hex(body))
  })

  it('builds a header the server decodes: u, method, payload, and a nonce so equal requests differ', async () => {
    await initVerifier()
    const sk = generateSecretKey()
    const signer = { getPublicKey: async () => getPublicKey(sk), signEvent: async (t: Parameters<typeof finalizeEvent>[0]) => finalizeEvent(t, sk) }
    const body = '{"plan":"basic"}'
    const header = await nip98Header(signer, 'http://localhost:2892/api/relays/x', 'put', body)
    const event = decodeNip98Header(header)
    const tag = (name: string) => event.tags.find((t) => t[0] === name)?.[1]
    expect(event.kind).toBe(27235)
    expect(tag('u')).toBe('http://localhost:2892/api/relays/x')
    expect(tag('method')).toBe('PUT')
    expect(tag('payload')).toBe(sha256Hex(body))
    const again = decodeNip98Header(await nip98Header(signer, 'http://localhost:2892/api/relays/x', 'put', body))
    expect(again.id).not.toBe(event.id)
    const bodiless = decodeNip98Header(await nip98Header(signer, 'http://localhost:2892/api/session', 'POST'))
    expect(bodiless.tags.some((t) => t[0] === 'payload')).toBe(false)
  })
})
