import { describe, expect, it } from 'vitest'
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { bytesToHex } from 'nostr-tools/utils'
import {
  checkImmutable,
  ConfigError,
  decodeRelayConfig,
  DEFAULT_EXEMPT_KINDS,
  isValidSecret,
  mergePatch,
  renderRelayConfig,
  storedRelayConfig,
  stripPort,
} from './relay-config.js'

const owner = getPublicKey(generateSecretKey())
const base = () => ({ host: 'A.Example.com', schema: 'a_1', secret: bytesToHex(generateSecretKey()), info: { pubkey: owner } })

describe('decodeRelayConfig', () => {
  it('fills defaults, lower-cases the host and drops unknown keys', () => {
    const c = decodeRelayConfig({ ...base(), extra: 1, blossom: { enabled: true, s3: {} } })
    expect(c.host).toBe('a.example.com')
    expect(c.policy).toEqual({ public_join: false, strip_signatures: false, max_members: null, exempt_kinds: [...DEFAULT_EXEMPT_KINDS] })
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

describe('Caravel policy fields', () => {
  const policy = (p: Record<string, unknown>) => decodeRelayConfig({ ...base(), policy: p }).policy

  it('max_members: a whole number ≥ 0, or null/absent for unlimited', () => {
    expect(policy({ max_members: 0 }).max_members).toBe(0)
    expect(policy({ max_members: 250 }).max_members).toBe(250)
    expect(policy({ max_members: null }).max_members).toBeNull()
    expect(() => policy({ max_members: '5' })).toThrow('invalid json: policy.max_members must be a number')
    expect(() => policy({ max_members: -1 })).toThrow('policy.max_members must be a whole number of 0 or more')
    expect(() => policy({ max_members: 2.5 })).toThrow('policy.max_members must be a whole number of 0 or more')
  })

  it('exempt_kinds: distinct kinds 0..65535, at most 64; absent or null → the default; [] allowed', () => {
    expect(policy({}).exempt_kinds).toEqual([1059, 9735, 13194, 23194, 23195, 24133])
    expect(policy({ exempt_kinds: null }).exempt_kinds).toEqual([...DEFAULT_EXEMPT_KINDS])
    expect(policy({ exempt_kinds: [] }).exempt_kinds).toEqual([])
    expect(policy({ exempt_kinds: [0, 65535] }).exempt_kinds).toEqual([0, 65535])
    expect(() => policy({ exempt_kinds: 1059 })).toThrow('invalid json: policy.exempt_kinds must be an array')
    expect(() => policy({ exempt_kinds: [65536] })).toThrow('policy.exempt_kinds must contain whole numbers from 0 to 65535')
    expect(() => policy({ exempt_kinds: ['1059'] })).toThrow('policy.exempt_kinds must contain whole numbers from 0 to 65535')
    expect(() => policy({ exempt_kinds: [1, 1] })).toThrow('policy.exempt_kinds contains a kind twice')
    const many = Array.from({ length: 65 }, (_, i) => i)
    expect(() => policy({ exempt_kinds: many })).toThrow('policy.exempt_kinds has more than 64 kinds')
    expect(policy({ exempt_kinds: many.slice(0, 64) }).exempt_kinds).toHaveLength(64)
  })

  it('a PATCH replaces exempt_kinds wholesale and null restores the defaults', () => {
    const stored = renderRelayConfig(decodeRelayConfig({ ...base(), policy: { max_members: 5, exempt_kinds: [1059, 9735] } }))
    expect(decodeRelayConfig(mergePatch(stored, { policy: { exempt_kinds: [24133] } })).policy.exempt_kinds).toEqual([24133])
    const reset = decodeRelayConfig(mergePatch(stored, { policy: { exempt_kinds: null, max_members: null } })).policy
    expect(reset).toMatchObject({ exempt_kinds: [...DEFAULT_EXEMPT_KINDS], max_members: null })
  })

  it('a config stored before these fields existed reads back with their defaults', () => {
    const old = JSON.parse(JSON.stringify(decodeRelayConfig(base())))
    delete old.policy.max_members
    delete old.policy.exempt_kinds
    expect(storedRelayConfig(old).policy).toEqual(decodeRelayConfig(base()).policy)
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
