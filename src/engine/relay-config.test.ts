import { describe, expect, it } from 'vitest'
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { bytesToHex } from 'nostr-tools/utils'
import { checkImmutable, ConfigError, decodeRelayConfig, isValidSecret, mergePatch, renderRelayConfig, stripPort } from './relay-config.js'

const owner = getPublicKey(generateSecretKey())
const base = () => ({ host: 'A.Example.com', schema: 'a_1', secret: bytesToHex(generateSecretKey()), info: { pubkey: owner } })

describe('decodeRelayConfig', () => {
  it('fills defaults, lower-cases the host and drops unknown keys', () => {
    const c = decodeRelayConfig({ ...base(), extra: 1, blossom: { enabled: true, s3: {} } })
    expect(c.host).toBe('a.example.com')
    expect(c.policy).toEqual({ public_join: false, strip_signatures: false })
    expect(c.blossom).toEqual({ enabled: true })
    expect(c.roles).toEqual({})
    expect(c).not.toHaveProperty('extra')
  })

  it('rejects the API host and wrong types', () => {
    expect(() => decodeRelayConfig({ ...base(), host: '127.0.0.1:3334' }, '127.0.0.1:3334')).toThrow('host is invalid')
    expect(() => decodeRelayConfig({ ...base(), host: '127.0.0.1' }, '127.0.0.1:3334')).toThrow('host is invalid')
    expect(() => decodeRelayConfig({ ...base(), inactive: 'yes' })).toThrow(/^invalid json: inactive/)
    expect(() => decodeRelayConfig({ ...base(), policy: [] })).toThrow(ConfigError)
    expect(() => decodeRelayConfig('x')).toThrow(/^invalid json: /)
  })

  it('validates secrets on the curve order', () => {
    expect(isValidSecret('0'.repeat(64))).toBe(false)
    expect(isValidSecret('f'.repeat(64))).toBe(false)
    expect(isValidSecret('A'.repeat(64))).toBe(false)
    expect(isValidSecret('1'.padStart(64, '0'))).toBe(true)
  })
})

describe('mergePatch (§4.2)', () => {
  it('merges objects, removes on null, replaces arrays wholesale', () => {
    const stored = renderRelayConfig(decodeRelayConfig({ ...base(), roles: { mod: { pubkeys: [owner], can_manage: true }, x: { pubkeys: [owner] } } }))
    const merged = mergePatch(stored, { info: { name: 'B' }, roles: { mod: null, x: { pubkeys: [] } } })
    const c = decodeRelayConfig(merged)
    expect(c.info.name).toBe('B')
    expect(c.info.pubkey).toBe(owner)
    expect(Object.keys(c.roles)).toEqual(['x'])
    expect(c.roles.x!.pubkeys).toEqual([])
    expect(() => decodeRelayConfig(mergePatch(stored, { host: null }))).toThrow('host is required')
  })

  it('refuses schema and secret changes but accepts the same values', () => {
    const a = decodeRelayConfig(base())
    expect(() => checkImmutable(a, { ...a })).not.toThrow()
    expect(() => checkImmutable(a, { ...a, schema: 'other' })).toThrow('schema cannot be changed')
    expect(() => checkImmutable(a, { ...a, secret: bytesToHex(generateSecretKey()) })).toThrow('secret cannot be changed')
  })
})

it('stripPort', () => {
  expect(stripPort('a.localhost:3334')).toBe('a.localhost')
  expect(stripPort('a.localhost')).toBe('a.localhost')
})
