import { For, Show } from 'solid-js'
import type { Invoice } from '../lib/api'
import { formatCents, invoiceStatus, isPayable } from '../lib/billing'
import { formatDate } from '../lib/format'
import { Badge } from './Badge'
import { Button } from './Button'

/** Invoices newest first: status, amounts, dates, Stripe's hosted page, and "Pay with Lightning" on open ones. */
export function InvoiceList(props: { invoices: Invoice[]; onPay?: (invoice: Invoice) => void }) {
  return (
    <Show when={props.invoices.length > 0} fallback={<p class="text-sm text-slate-600" data-testid="no-invoices">No invoices yet.</p>}>
      <ul class="divide-y divide-slate-200 rounded-md border border-slate-200" data-testid="invoice-list">
        <For each={props.invoices}>
          {(inv) => {
            const st = () => invoiceStatus(inv.status)
            return (
              <li class="flex flex-wrap items-start justify-between gap-3 px-3 py-3 text-sm" data-testid="invoice-row" data-invoice={inv.id} data-status={inv.status ?? ''}>
                <div class="min-w-0 space-y-0.5">
                  <p class="flex flex-wrap items-center gap-2">
                    <span class="font-semibold text-slate-900">{formatCents(inv.amount_due, inv.currency)}</span>
                    <Badge tone={st().tone} title={st().help} testid="invoice-status">
                      {st().label}
                    </Badge>
                  </p>
                  <p class="text-slate-600">
                    <Show when={inv.period_start && inv.period_end} fallback={<>Issued {formatDate(inv.created)}</>}>
                      For {formatDate(inv.period_start!)} – {formatDate(inv.period_end!)} · issued {formatDate(inv.created)}
                    </Show>
                  </p>
                  <Show when={inv.amount_paid > 0 && inv.amount_remaining > 0}>
                    <p class="text-slate-600">
                      {formatCents(inv.amount_paid, inv.currency)} paid, {formatCents(inv.amount_remaining, inv.currency)} left
                    </p>
                  </Show>
                  <Show when={inv.status === 'open' && inv.due_date}>
                    <p class="text-slate-600">Due {formatDate(inv.due_date!)}</p>
                  </Show>
                </div>
                <div class="flex flex-wrap items-center gap-2">
                  <Show when={inv.hosted_invoice_url}>
                    <a
                      href={inv.hosted_invoice_url!}
                      target="_blank"
                      rel="noopener noreferrer"
                      class="rounded-md px-2 py-1 text-sm font-medium text-indigo-700 ring-1 ring-inset ring-indigo-200 hover:bg-indigo-50"
                    >
                      View invoice<span class="sr-only"> of {formatDate(inv.created)} (opens Stripe)</span>
                    </a>
                  </Show>
                  <Show when={props.onPay && isPayable(inv)}>
                    <Button class="py-1" onClick={() => props.onPay!(inv)}>
                      Pay with Lightning
                    </Button>
                  </Show>
                </div>
              </li>
            )
          }}
        </For>
      </ul>
    </Show>
  )
}
