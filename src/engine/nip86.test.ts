import { describe, expect, it } from 'vitest'
import { methods, relayUrlMatches } from './nip86.js'

describe('nip86', () => {
  it('u must be the relay base URL: host (port ignored, any case), path empty or /, four schemes', () => {
    expect(relayUrlMatches('https://a.localhost', 'a.localhost')).toBe(true)
    expect(relayUrlMatches('wss://A.localhost:443/', 'a.localhost:3334')).toBe(true)
    expect(relayUrlMatches('ws://a.localhost/', 'a.localhost')).toBe(true)
    expect(relayUrlMatches('https://a.localhost/api', 'a.localhost')).toBe(false)
    expect(relayUrlMatches('ftp://a.localhost', 'a.localhost')).toBe(false)
    expect(relayUrlMatches('https://b.localhost', 'a.localhost')).toBe(false)
    expect(relayUrlMatches('nonsense', 'a.localhost')).toBe(false)
  })

  it('lists the method set with the 2026 names and no role/kind/IP methods', () => {
    const names = Object.keys(methods)
    expect(names).toContain('unbanpubkey')
    expect(names).toContain('unallowpubkey')
    for (const n of ['allowkind', 'disallowkind', 'listallowedkinds', 'blockip', 'unblockip', 'listblockedips', 'grantadmin']) expect(names).not.toContain(n)
  })
})
