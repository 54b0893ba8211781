import { describe, expect, it } from 'vitest'
import type { RelayRow } from '../db/schema.js'
import { engineConfigFor, relaySchema } from './relay-config.js'

const row: RelayRow = {
  id: 'r1', tenant: 'a'.repeat(64), subdomain: 'my-club', plan: 'basic', status: 'delinquent', synced: 0, sync_error: '',
  info_name: 'My Club', info_icon: 'https://x.example/i.png', info_description: 'hi',
  policy_public_join: 1, policy_strip_signatures: 0, groups_enabled: 1, management_enabled: 0,
  blossom_enabled: 1, livekit_enabled: 1, push_enabled: 0, exempt_kinds: null, engine: 'embedded', move_target: null, move_heartbeat_at: null,
  secret: 'v1.x', created_at: 1, updated_at: 1,
}

describe('engineConfigFor', () => {
  it('maps a relay row to the engine config', () => {
    const config = engineConfigFor(row, { config: { relayDomain: 'relays.example.com', livekit: undefined, blossomS3: undefined }, admins: ['c'.repeat(64), 'b'.repeat(64)] })
    expect(config).toMatchObject({
      host: 'my-club.relays.example.com',
      schema: 'my_club',
      inactive: true,
      info: { name: 'My Club', icon: 'https://x.example/i.png', description: 'hi', pubkey: 'a'.repeat(64) },
      policy: { public_join: true, strip_signatures: false },
      groups: { enabled: true },
      management: { enabled: false },
      blossom: { enabled: true },
      livekit: { server_url: '' },
      roles: { caravel_admin: { pubkeys: ['b'.repeat(64), 'c'.repeat(64)], can_manage: true } },
    })
    expect(config).not.toHaveProperty('secret')
  })

  it("hands over the operator's LiveKit and S3 settings only where the relay enables them", () => {
    const operator = {
      relayDomain: 'localhost',
      livekit: { url: 'wss://lk.example', apiKey: 'k', apiSecret: 's' },
      blossomS3: { endpoint: 'https://s3.example', region: 'r', bucket: 'b', accessKey: 'a', secretKey: 'z' },
    }
    const on = engineConfigFor(row, { config: operator, admins: [] })
    expect(on.livekit).toEqual({ enabled: true, server_url: 'wss://lk.example', api_key: 'k', api_secret: 's' })
    expect(on.blossom).toMatchObject({ enabled: true, s3: { bucket: 'b' } })
    const off = engineConfigFor({ ...row, livekit_enabled: 0, blossom_enabled: 0, status: 'active' }, { config: operator, admins: [] })
    expect(off.livekit.server_url).toBe('')
    expect(off.blossom).toEqual({ enabled: false })
    expect(off.inactive).toBe(false)
  })

  it("carries the plan's member limit and the exempt kinds (default list, or the tenant's)", () => {
    const context = { config: { relayDomain: 'localhost', livekit: undefined, blossomS3: undefined }, admins: [] }
    expect(engineConfigFor(row, { ...context, memberLimit: 100 }).policy).toEqual({
      public_join: true,
      strip_signatures: false,
      max_members: 100,
      exempt_kinds: [1059, 9735, 13194, 23194, 23195, 24133],
    })
    const custom = engineConfigFor({ ...row, exempt_kinds: '[1059]' }, { ...context, memberLimit: null }).policy
    expect(custom).toMatchObject({ max_members: null, exempt_kinds: [1059] })
  })

  it('derives the schema from the subdomain', () => {
    expect(relaySchema('a-b-c')).toBe('a_b_c')
  })
})
