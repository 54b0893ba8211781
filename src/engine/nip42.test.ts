import { describe, expect, it } from 'vitest'
import { finalizeEvent, generateSecretKey } from 'nostr-tools/pure'
import { relayTagHostname, verifyAuthEvent } from './nip42.js'

const sk = generateSecretKey()
const now = Math.floor(Date.now() / 1000)
const auth = (relay: string, challenge: string, created_at = now, kind = 22242) =>
  finalizeEvent({ kind, created_at, tags: [['relay', relay], ['challenge', challenge]], content: '' }, sk)

describe('nip42', () => {
  it('accepts a matching challenge and relay host, ignoring scheme, port, path and case', () => {
    expect(verifyAuthEvent(auth('wss://A.Localhost:4443/x', 'c1'), 'c1', 'a.localhost', now).ok).toBe(true)
    expect(relayTagHostname('a.localhost')).toBe('a.localhost')
  })

  it('refuses wrong challenge, relay, kind, time and signature', () => {
    expect(verifyAuthEvent(auth('wss://a.localhost', 'c2'), 'c1', 'a.localhost', now)).toMatchObject({ ok: false })
    expect(verifyAuthEvent(auth('wss://b.localhost', 'c1'), 'c1', 'a.localhost', now)).toMatchObject({ ok: false })
    expect(verifyAuthEvent(auth('wss://a.localhost', 'c1', now, 1), 'c1', 'a.localhost', now)).toMatchObject({ ok: false })
    expect(verifyAuthEvent(auth('wss://a.localhost', 'c1', now - 601), 'c1', 'a.localhost', now)).toMatchObject({ ok: false })
    const tampered = { ...auth('wss://a.localhost', 'c1'), content: 'x' }
    expect(verifyAuthEvent(JSON.parse(JSON.stringify(tampered)), 'c1', 'a.localhost', now)).toMatchObject({ ok: false })
  })
})
