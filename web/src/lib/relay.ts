// How a relay's state reads to a person: status badges, sync state, activity entries.
import type { Activity, Relay, RelayStatus } from './api'

export const STATUS_LABELS: Record<RelayStatus, { label: string; tone: Tone; help: string }> = {
  active: { label: 'Active', tone: 'green', help: 'The relay is serving.' },
  inactive: { label: 'Inactive', tone: 'slate', help: 'Deactivated: the relay does not serve; its data is kept.' },
  delinquent: { label: 'Suspended', tone: 'red', help: 'Suspended for an unpaid invoice; it comes back when the invoice is paid.' },
}

export type Tone = 'green' | 'amber' | 'red' | 'slate' | 'indigo'

export type SyncState = { state: 'synced'; label: string; tone: Tone } | { state: 'syncing'; label: string; tone: Tone } | { state: 'error'; label: string; tone: Tone; message: string }

export function syncState(relay: Pick<Relay, 'synced' | 'sync_error'>): SyncState {
  if (relay.synced) return { state: 'synced', label: 'Live', tone: 'green' }
  if (relay.sync_error) return { state: 'error', label: 'Sync error', tone: 'red', message: relay.sync_error }
  return { state: 'syncing', label: 'Going live…', tone: 'amber' }
}

const ACTIVITY_WORDS: Record<string, string> = {
  create_tenant: 'Account created',
  update_tenant: 'Account updated',
  create_relay: 'Relay created',
  update_relay: 'Settings changed',
  activate_relay: 'Relay reactivated',
  deactivate_relay: 'Relay deactivated',
  mark_relay_delinquent: 'Suspended for an unpaid invoice',
  fail_relay_sync: 'Sync to the relay engine failed',
  complete_relay_sync: 'Relay engine updated',
  move_relay: 'Moved to another engine',
}

export function activityLabel(a: Pick<Activity, 'activity_type'>): string {
  return ACTIVITY_WORDS[a.activity_type] ?? a.activity_type.replaceAll('_', ' ')
}

export function relayTitle(relay: Pick<Relay, 'info_name' | 'subdomain'>): string {
  return relay.info_name.trim() || relay.subdomain
}
