// Resources as the API answers them, for the dashboard's component tests.
import type { RelayDetail } from '../src/lib/api'

/** A 64-character hex key made of one repeated character. */
export const PK = (c: string) => c.repeat(64)

export const relayDetail = (over: Partial<RelayDetail> = {}): RelayDetail => ({
  id: 'r1',
  tenant: PK('a'),
  subdomain: 'club',
  url: 'ws://club.localhost:3334',
  plan: 'free',
  status: 'active',
  synced: true,
  sync_error: '',
  info_name: 'Club',
  info_icon: '',
  info_description: '',
  policy_public_join: false,
  policy_strip_signatures: false,
  groups_enabled: false,
  management_enabled: true,
  blossom_enabled: false,
  livekit_enabled: false,
  push_enabled: false,
  exempt_kinds: [1059, 9735, 13194, 23194, 23195, 24133],
  engine: null,
  created_at: 1_700_000_000,
  updated_at: 1_700_000_000,
  members: { used: 1, allowed: 10 },
  ...over,
})
