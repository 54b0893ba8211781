// Which Nostr relays the dashboard uses: a localStorage override, else the server's list, else public relays.
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_PROFILE_RELAYS, DEFAULT_SIGNER_RELAYS, profileRelays, setConfiguredRelays, signerRelays } from './settings'

afterEach(() => {
  localStorage.clear()
  setConfiguredRelays([], [])
})

describe('dashboard relays', () => {
  it('falls back to public relays when the server names none', () => {
    setConfiguredRelays([], undefined)
    expect(profileRelays()).toEqual(DEFAULT_PROFILE_RELAYS)
    expect(signerRelays()).toEqual(DEFAULT_SIGNER_RELAYS)
  })

  it('uses the relays from /api/config', () => {
    setConfiguredRelays(['wss://indexer.example'], ['wss://signer.example'])
    expect(profileRelays()).toEqual(['wss://indexer.example'])
    expect(signerRelays()).toEqual(['wss://signer.example'])
  })

  it('lets a localStorage override win, and ignores a bad one', () => {
    setConfiguredRelays(['wss://indexer.example'], ['wss://signer.example'])
    localStorage.setItem('caravel.profileRelays', '["ws://localhost:7777"]')
    localStorage.setItem('caravel.signerRelays', 'not json')
    expect(profileRelays()).toEqual(['ws://localhost:7777'])
    expect(signerRelays()).toEqual(['wss://signer.example'])
  })
})
