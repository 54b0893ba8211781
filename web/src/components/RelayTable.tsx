import { For, Show } from 'solid-js'
import type { Relay } from '../lib/api'
import { shortNpub } from '../lib/format'
import { relayTitle } from '../lib/relay'
import { RelayUrl } from './CopyButton'
import { Link } from './Link'
import { StatusBadge, SyncBadge } from './RelayBadges'

/** Relays as cards on a phone and rows on a desktop; each links to its page. */
export function RelayTable(props: { relays: Relay[]; href: (r: Relay) => string; showTenant?: boolean }) {
  return (
    <ul class="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white" data-testid="relay-list">
      <For each={props.relays}>
        {(relay) => (
          <li class="grid gap-2 px-4 py-3 sm:grid-cols-[1fr_auto] sm:items-center" data-testid="relay-row" data-subdomain={relay.subdomain}>
            <div class="min-w-0 space-y-1">
              <div class="flex flex-wrap items-center gap-2">
                <Link href={props.href(relay)} class="font-semibold text-indigo-700 hover:underline">
                  {relayTitle(relay)}
                </Link>
                <StatusBadge status={relay.status} />
                <SyncBadge relay={relay} />
                <span class="text-xs text-slate-500">{relay.plan}</span>
              </div>
              <RelayUrl url={relay.url} />
              <Show when={props.showTenant}>
                <p class="text-xs text-slate-500" title={relay.tenant}>
                  Tenant {shortNpub(relay.tenant)}
                </p>
              </Show>
            </div>
          </li>
        )}
      </For>
    </ul>
  )
}
