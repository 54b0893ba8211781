import { createSignal, For, onMount, Show } from 'solid-js'
import { Alert } from '../components/Alert'
import { Button } from '../components/Button'
import { inputClass } from '../components/Field'
import { PageTitle } from '../components/Layout'
import { RelayTable } from '../components/RelayTable'
import { Spinner } from '../components/Spinner'
import { api } from '../lib/api'
import { createPagedList } from '../lib/paged'
import { plans } from '../lib/session'

const selectClass = `${inputClass} sm:w-auto`

/** Every relay, filtered by status, plan, sync state and subdomain prefix. */
export function AdminRelays() {
  const [status, setStatus] = createSignal('')
  const [plan, setPlan] = createSignal('')
  const [sync, setSync] = createSignal('')
  const [q, setQ] = createSignal('')
  const list = createPagedList((cursor) =>
    api.relays({ status: status() || undefined, plan: plan() || undefined, sync: sync() || undefined, q: q().trim().toLowerCase() || undefined, cursor, limit: 25 }),
  )
  onMount(() => void list.reload())
  let searchTimer: ReturnType<typeof setTimeout> | undefined
  const filters = () => !!(status() || plan() || sync() || q().trim())
  return (
    <>
      <PageTitle>All relays</PageTitle>
      <form
        role="search"
        aria-label="Filter relays"
        class="grid gap-3 rounded-lg border border-slate-200 bg-white p-3 sm:grid-cols-4"
        onSubmit={(e) => (e.preventDefault(), void list.reload())}
      >
        <div class="space-y-1">
          <label for="filter-q" class="block text-xs font-medium text-slate-700">
            Subdomain starts with
          </label>
          <input
            id="filter-q"
            type="search"
            class={inputClass}
            value={q()}
            autocomplete="off"
            onInput={(e) => {
              setQ(e.currentTarget.value)
              clearTimeout(searchTimer)
              searchTimer = setTimeout(() => void list.reload(), 250)
            }}
          />
        </div>
        <div class="space-y-1">
          <label for="filter-status" class="block text-xs font-medium text-slate-700">
            Status
          </label>
          <select id="filter-status" class={selectClass} value={status()} onChange={(e) => (setStatus(e.currentTarget.value), void list.reload())}>
            <option value="">Any status</option>
            <option value="active">Active</option>
            <option value="inactive">Inactive</option>
            <option value="delinquent">Suspended (delinquent)</option>
          </select>
        </div>
        <div class="space-y-1">
          <label for="filter-plan" class="block text-xs font-medium text-slate-700">
            Plan
          </label>
          <select id="filter-plan" class={selectClass} value={plan()} onChange={(e) => (setPlan(e.currentTarget.value), void list.reload())}>
            <option value="">Any plan</option>
            <For each={plans()}>{(p) => <option value={p.id}>{p.name}</option>}</For>
          </select>
        </div>
        <div class="space-y-1">
          <label for="filter-sync" class="block text-xs font-medium text-slate-700">
            Sync
          </label>
          <select id="filter-sync" class={selectClass} value={sync()} onChange={(e) => (setSync(e.currentTarget.value), void list.reload())}>
            <option value="">Any sync state</option>
            <option value="ok">Synced</option>
            <option value="pending">Waiting to sync</option>
            <option value="error">Sync error</option>
          </select>
        </div>
      </form>
      <Show when={list.error()}>
        <Alert>{list.error()}</Alert>
      </Show>
      <Show when={list.loaded()} fallback={<Show when={!list.error()}><Spinner label="Loading relays…" /></Show>}>
        <div aria-busy={list.loading()} class="space-y-3">
          <Show when={list.items().length > 0} fallback={<p class="text-sm text-slate-600" data-testid="no-relays">{filters() ? 'No relay matches these filters.' : 'There are no relays yet.'}</p>}>
            <RelayTable relays={list.items()} href={(r) => `/admin/relays/${r.id}`} showTenant />
          </Show>
          <Show when={list.cursor()}>
            <Button variant="secondary" busy={list.loading()} onClick={() => void list.more()}>
              Show more
            </Button>
          </Show>
        </div>
      </Show>
    </>
  )
}
