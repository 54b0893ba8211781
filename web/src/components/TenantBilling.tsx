import { For, Show } from 'solid-js'
import type { Relay, Tenant } from '../lib/api'
import { walletErrorText } from '../lib/errors'
import { formatTime } from '../lib/format'
import { Link } from './Link'

/** An operator's view of a tenant's billing: Stripe ids, past due since, wallet, suspended relays. */
export function TenantBilling(props: { tenant: Tenant; relays?: Pick<Relay, 'id' | 'subdomain' | 'status'>[]; graceDays?: number }) {
  const delinquent = () => (props.relays ?? []).filter((r) => r.status === 'delinquent')
  return (
    <dl class="grid gap-3 text-sm sm:grid-cols-2" data-testid="tenant-billing">
      <div>
        <dt class="text-slate-600">Subscription</dt>
        <dd class="break-all font-mono text-xs" data-testid="billing-subscription">
          {props.tenant.stripe_subscription_id ?? <span class="font-sans text-sm">None (no paid relay billed)</span>}
        </dd>
      </div>
      <div>
        <dt class="text-slate-600">Stripe customer</dt>
        <dd class="break-all font-mono text-xs">{props.tenant.stripe_customer_id ?? <span class="font-sans text-sm">Not created yet</span>}</dd>
      </div>
      <div>
        <dt class="text-slate-600">Past due</dt>
        <dd data-testid="billing-past-due" class={props.tenant.past_due_at ? 'font-semibold text-red-700' : ''}>
          {props.tenant.past_due_at
            ? `Since ${formatTime(props.tenant.past_due_at)}${props.graceDays !== undefined ? ` (relays suspended after ${props.graceDays} days)` : ''}`
            : 'No'}
        </dd>
      </div>
      <div>
        <dt class="text-slate-600">Lightning wallet</dt>
        <dd>
          {props.tenant.nwc_is_set ? 'Connected (auto-pay)' : 'Not connected'}
          <Show when={props.tenant.nwc_error}>
            {(e) => (
              <span class="block text-amber-800" data-testid="billing-nwc-error">
                Last auto-pay failed: {walletErrorText(e()).words} ({e()})
              </span>
            )}
          </Show>
        </dd>
      </div>
      <Show when={props.relays}>
        <div class="sm:col-span-2">
          <dt class="text-slate-600">Suspended relays</dt>
          <dd data-testid="billing-delinquent">
            <Show when={delinquent().length > 0} fallback="None">
              <ul class="flex flex-wrap gap-2">
                <For each={delinquent()}>
                  {(r) => (
                    <li>
                      <Link href={`/admin/relays/${r.id}`} class="font-medium text-red-700 hover:underline">
                        {r.subdomain}
                      </Link>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
          </dd>
        </div>
      </Show>
    </dl>
  )
}
