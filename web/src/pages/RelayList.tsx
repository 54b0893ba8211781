import { onMount, Show } from 'solid-js'
import { Alert } from '../components/Alert'
import { AccountBanner } from '../components/BillingBanner'
import { Button } from '../components/Button'
import { PageTitle } from '../components/Layout'
import { Link } from '../components/Link'
import { RelayTable } from '../components/RelayTable'
import { Spinner } from '../components/Spinner'
import { api } from '../lib/api'
import { createPagedList } from '../lib/paged'
import { config, identity } from '../lib/session'

export function RelayList() {
  // The caller's own relays (for an admin, GET /api/relays would list everyone's).
  const list = createPagedList((cursor) => api.tenantRelays(identity()!.pubkey, { cursor, limit: 25 }))
  onMount(() => void list.reload())
  return (
    <>
      <PageTitle
        actions={
          <Link href="/relays/new" class="rounded-md bg-indigo-600 px-3 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500">
            New relay
          </Link>
        }
      >
        My relays
      </PageTitle>
      <AccountBanner />
      <Show when={config() && !config()!.billing_enabled}>
        <p class="text-sm text-slate-600">Billing is off on this deployment: every plan is free here.</p>
      </Show>
      <Show when={list.error()}>
        <Alert>{list.error()}</Alert>
      </Show>
      <Show when={list.loaded()} fallback={<Show when={!list.error()}><Spinner label="Loading your relays…" /></Show>}>
        <Show
          when={list.items().length > 0}
          fallback={
            <div class="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-center" data-testid="no-relays">
              <p class="text-sm text-slate-700">You have no relays yet.</p>
              <Link href="/relays/new" class="mt-2 inline-block text-sm font-semibold text-indigo-700 hover:underline">
                Create your first relay
              </Link>
            </div>
          }
        >
          <RelayTable relays={list.items()} href={(r) => `/relays/${r.id}`} />
        </Show>
        <Show when={list.cursor()}>
          <Button variant="secondary" busy={list.loading()} onClick={() => void list.more()}>
            Show more
          </Button>
        </Show>
      </Show>
    </>
  )
}
