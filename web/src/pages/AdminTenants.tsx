import { createSignal, For, onMount, Show } from 'solid-js'
import { InvoiceList } from '../components/InvoiceList'
import { TenantBilling } from '../components/TenantBilling'
import { Alert } from '../components/Alert'
import { Badge } from '../components/Badge'
import { Button } from '../components/Button'
import { inputClass } from '../components/Field'
import { PageTitle } from '../components/Layout'
import { Link } from '../components/Link'
import { RelayTable } from '../components/RelayTable'
import { Spinner } from '../components/Spinner'
import { api, type Invoice, type Tenant } from '../lib/api'
import { errorText } from '../lib/errors'
import { config } from '../lib/session'
import { formatDate, npub, shortNpub } from '../lib/format'
import { createPagedList } from '../lib/paged'

/** Every tenant, searchable by npub or hex pubkey prefix. */
export function AdminTenants() {
  const [q, setQ] = createSignal('')
  const list = createPagedList((cursor) => api.tenants({ q: q().trim() || undefined, cursor, limit: 25 }))
  onMount(() => void list.reload())
  let timer: ReturnType<typeof setTimeout> | undefined
  return (
    <>
      <PageTitle>Tenants</PageTitle>
      <form role="search" aria-label="Search tenants" class="rounded-lg border border-slate-200 bg-white p-3" onSubmit={(e) => (e.preventDefault(), void list.reload())}>
        <label for="tenant-q" class="block text-xs font-medium text-slate-700">
          Public key (npub or the start of a hex key)
        </label>
        <input
          id="tenant-q"
          type="search"
          class={`${inputClass} mt-1`}
          autocomplete="off"
          spellcheck={false}
          value={q()}
          onInput={(e) => {
            setQ(e.currentTarget.value)
            clearTimeout(timer)
            timer = setTimeout(() => void list.reload(), 250)
          }}
        />
      </form>
      <Show when={list.error()}>
        <Alert>{list.error()}</Alert>
      </Show>
      <Show when={list.loaded()} fallback={<Show when={!list.error()}><Spinner label="Loading tenants…" /></Show>}>
        <Show when={list.items().length > 0} fallback={<p class="text-sm text-slate-600">No tenant matches.</p>}>
          <ul class="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white" data-testid="tenant-list">
            <For each={list.items()}>
              {(t) => (
                <li class="flex flex-wrap items-center justify-between gap-2 px-4 py-3" data-testid="tenant-row" data-pubkey={t.pubkey}>
                  <div class="min-w-0">
                    <Link href={`/admin/tenants/${t.pubkey}`} class="font-mono text-sm text-indigo-700 hover:underline" >
                      {shortNpub(t.pubkey)}
                    </Link>
                    <p class="truncate font-mono text-xs text-slate-500">{t.pubkey}</p>
                  </div>
                  <div class="flex flex-wrap items-center gap-2 text-xs text-slate-600">
                    <Show when={t.past_due_at}>
                      <Badge tone="red">Past due</Badge>
                    </Show>
                    <Show when={t.stripe_subscription_id}>
                      <Badge tone="green">Subscribed</Badge>
                    </Show>
                    <Show when={t.nwc_is_set}>
                      <Badge tone="indigo">Wallet connected</Badge>
                    </Show>
                    <span>Since {formatDate(t.created_at)}</span>
                  </div>
                </li>
              )}
            </For>
          </ul>
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

/** One tenant, their billing state and their relays. */
export function AdminTenant(props: { pubkey: string }) {
  const list = createPagedList((cursor) => api.tenantRelays(props.pubkey, { cursor, limit: 25 }))
  const [tenant, setTenant] = createSignal<Tenant | undefined>()
  const [invoices, setInvoices] = createSignal<Invoice[] | undefined>()
  const [billingError, setBillingError] = createSignal<string | null>(null)
  onMount(() => {
    void list.reload()
    if (!config()?.billing_enabled) return
    Promise.all([api.tenant(props.pubkey), api.invoices(props.pubkey, { limit: 10 })]).then(
      ([t, inv]) => (setTenant(t), setInvoices(inv.items)),
      (err) => setBillingError(errorText(err)),
    )
  })
  return (
    <>
      <Link href="/admin/tenants" class="text-sm text-indigo-700 hover:underline">
        ← Tenants
      </Link>
      <PageTitle>Tenant {shortNpub(props.pubkey)}</PageTitle>
      <p class="break-all font-mono text-xs text-slate-600">{npub(props.pubkey)}</p>
      <Show when={config()?.billing_enabled}>
        <section aria-labelledby="tenant-billing-title" class="space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-5">
          <h2 id="tenant-billing-title" class="text-base font-semibold">
            Billing
          </h2>
          <Show when={billingError()}>
            <Alert>{billingError()}</Alert>
          </Show>
          <Show when={tenant()} fallback={<Show when={!billingError()}><Spinner label="Loading billing…" /></Show>}>
            {(t) => <TenantBilling tenant={t()} relays={list.loaded() ? list.items() : undefined} graceDays={config()?.billing_grace_days} />}
          </Show>
          <Show when={invoices()}>
            {(inv) => (
              <div class="space-y-2">
                <h3 class="text-sm font-semibold">Latest invoices</h3>
                <InvoiceList invoices={inv()} />
              </div>
            )}
          </Show>
        </section>
      </Show>
      <Show when={list.error()}>
        <Alert>{list.error()}</Alert>
      </Show>
      <Show when={list.loaded()} fallback={<Show when={!list.error()}><Spinner label="Loading relays…" /></Show>}>
        <Show when={list.items().length > 0} fallback={<p class="text-sm text-slate-600">This tenant has no relays.</p>}>
          <RelayTable relays={list.items()} href={(r) => `/admin/relays/${r.id}`} />
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
