import { Show } from 'solid-js'
import type { Relay } from '../lib/api'
import { STATUS_LABELS, syncState } from '../lib/relay'
import { Badge } from './Badge'

export function StatusBadge(props: { status: Relay['status'] }) {
  const s = () => STATUS_LABELS[props.status]
  return (
    <Badge tone={s().tone} title={s().help} testid="status-badge">
      {s().label}
    </Badge>
  )
}

/** Live / going live / sync error; only an active relay is said to be "live". */
export function SyncBadge(props: { relay: Pick<Relay, 'synced' | 'sync_error' | 'status'> }) {
  const s = () => syncState(props.relay)
  return (
    <Show when={props.relay.status === 'active' || s().state !== 'synced'} fallback={<Badge tone="slate" testid="sync-badge">Stopped</Badge>}>
      <Badge tone={s().tone} testid="sync-badge" title={s().state === 'error' ? (s() as { message: string }).message : undefined}>
        {s().state === 'syncing' && <span class="size-2 animate-pulse rounded-full bg-amber-500" aria-hidden="true" />}
        {props.relay.status === 'active' ? s().label : s().state === 'syncing' ? 'Updating…' : s().label}
      </Badge>
    </Show>
  )
}
