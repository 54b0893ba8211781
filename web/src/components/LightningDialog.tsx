import { createEffect, createSignal, Match, on, onCleanup, Show, Switch } from 'solid-js'
import { api, type Invoice, type LightningPayment } from '../lib/api'
import { formatCents, formatSats, isPayable } from '../lib/billing'
import { ApiError, errorText } from '../lib/errors'
import { formatTime } from '../lib/format'
import { Alert } from './Alert'
import { Button } from './Button'
import { CopyButton } from './CopyButton'
import { Link } from './Link'
import { QrCode } from './QrCode'
import { Spinner } from './Spinner'

/** Where the dialog stands; `data-state` on the dialog says it for tests and styling. */
export type PayState =
  | { state: 'finding' }
  | { state: 'no-invoice'; message: string }
  | { state: 'requesting' }
  | { state: 'pending'; payment: LightningPayment }
  | { state: 'in-progress' }
  | { state: 'paid'; payment?: LightningPayment }
  | { state: 'expired' }
  | { state: 'error'; message: string }

const POLL_MS = 1500
const FIND_MS = 1000
const FIND_FOR_MS = 60_000

/**
 * Pay an invoice with Lightning: a bolt11 as a QR code, its amount in sats, a copy button and the live state
 * (paid / expired) polled from the API. Given `find` instead of an invoice id, it first waits for the invoice
 * Stripe opens after a relay was created or moved to a paid plan.
 */
export function LightningDialog(props: {
  open: boolean
  invoiceId?: string
  find?: { pubkey: string; since: number }
  /** Offer "Set up payment instead" (a link to the account page). */
  setupInstead?: boolean
  onClose: () => void
  onPaid?: () => void
}) {
  let dialog!: HTMLDialogElement
  const [s, setS] = createSignal<PayState>({ state: 'requesting' })
  const [invoice, setInvoice] = createSignal<Invoice | undefined>()
  let generation = 0
  let timer: ReturnType<typeof setTimeout> | undefined

  const stop = () => {
    generation++
    clearTimeout(timer)
  }
  onCleanup(stop)

  const later = (mine: number, ms: number, fn: () => Promise<unknown>) => {
    clearTimeout(timer)
    timer = setTimeout(() => {
      if (mine === generation) void fn()
    }, ms)
  }

  const paid = (payment?: LightningPayment) => {
    clearTimeout(timer)
    setS({ state: 'paid', payment })
    props.onPaid?.()
  }

  const poll = async (mine: number, id: string): Promise<void> => {
    try {
      const p = await api.lightningStatus(id)
      if (mine !== generation) return
      if (p.status === 'paid') return paid(p)
      if (p.status === 'expired') {
        setS({ state: 'expired' })
        return
      }
      if (p.status === 'in-progress') setS({ state: 'in-progress' })
      later(mine, s().state === 'in-progress' ? POLL_MS * 3 : POLL_MS, () => poll(mine, id))
    } catch (err) {
      if (mine !== generation) return
      setS({ state: 'error', message: errorText(err) })
    }
  }

  const request = async (mine: number, id: string) => {
    setS({ state: 'requesting' })
    try {
      const p = await api.payWithLightning(id)
      if (mine !== generation) return
      if (p.status === 'paid') return paid(p)
      if (p.bolt11) {
        setS({ state: 'pending', payment: p })
        later(mine, POLL_MS, () => poll(mine, id))
      } else {
        setS({ state: 'in-progress' })
        later(mine, POLL_MS * 3, () => poll(mine, id))
      }
    } catch (err) {
      if (mine !== generation) return
      if (err instanceof ApiError && err.code === 'payment-in-progress') {
        setS({ state: 'in-progress' })
        later(mine, POLL_MS * 3, () => poll(mine, id))
      } else setS({ state: 'error', message: errorText(err) })
    }
  }

  const find = async (mine: number, f: { pubkey: string; since: number }, until: number) => {
    try {
      const page = await api.invoices(f.pubkey, { limit: 5 })
      if (mine !== generation) return
      // The invoice opened by this change: created since (Stripe's clock may be a little off).
      const fresh = page.items.filter((i) => i.created >= f.since - 120)
      const open = fresh.find(isPayable)
      if (open) {
        setInvoice(open)
        return request(mine, open.id)
      }
      if (fresh.some((i) => i.status === 'paid')) return paid()
    } catch (err) {
      if (mine !== generation) return
      setS({ state: 'error', message: errorText(err) })
      return
    }
    if (Date.now() > until) {
      setS({
        state: 'no-invoice',
        message: 'Stripe has not opened the invoice yet. It will be on your account page, where you can pay it when it appears.',
      })
      return
    }
    later(mine, FIND_MS, () => find(mine, f, until))
  }

  const start = () => {
    stop()
    const mine = generation
    setInvoice(undefined)
    if (props.invoiceId) void request(mine, props.invoiceId)
    else if (props.find) {
      setS({ state: 'finding' })
      void find(mine, props.find, Date.now() + FIND_FOR_MS)
    }
  }

  createEffect(
    on(
      () => [props.open, props.invoiceId, props.find] as const,
      ([open]) => {
        if (open) {
          if (!dialog.open) dialog.showModal()
          start()
        } else {
          stop()
          if (dialog.open) dialog.close()
        }
      },
    ),
  )

  const invoiceId = () => props.invoiceId ?? invoice()?.id
  const pending = () => {
    const v = s()
    return v.state === 'pending' ? v.payment : undefined
  }

  return (
    <dialog
      ref={dialog}
      aria-labelledby="pay-title"
      data-testid="pay-dialog"
      data-state={s().state}
      class="m-auto max-h-[calc(100%-2rem)] w-[min(28rem,calc(100%-2rem))] overflow-y-auto rounded-lg p-0 shadow-xl backdrop:bg-slate-900/40"
      onCancel={(e) => {
        e.preventDefault()
        props.onClose()
      }}
    >
      <div class="space-y-4 p-5">
        <h2 id="pay-title" class="text-lg font-semibold">
          Pay with Lightning
        </h2>
        <div aria-live="polite" class="space-y-3 text-sm text-slate-700">
          <Switch>
            <Match when={s().state === 'finding'}>
              <Spinner label="Waiting for Stripe to open the invoice…" />
            </Match>
            <Match when={s().state === 'requesting'}>
              <Spinner label="Getting a Lightning invoice…" />
            </Match>
            <Match when={pending()}>
              {(p) => (
                <>
                  <p>
                    Scan with a Lightning wallet, or copy the invoice into it.{' '}
                    <Show when={p().amount_cents !== null}>This pays {formatCents(p().amount_cents!)}.</Show>
                  </p>
                  <div class="flex justify-center">
                    <QrCode text={`lightning:${p().bolt11!}`} label="QR code of the Lightning invoice" />
                  </div>
                  <p class="text-center text-2xl font-bold text-slate-900" data-testid="pay-sats">
                    {p().amount_sats !== null ? formatSats(p().amount_sats!) : ''}
                  </p>
                  <div class="flex items-center gap-2">
                    <code class="min-w-0 flex-1 truncate rounded bg-slate-100 px-2 py-1 text-xs" title={p().bolt11!} data-testid="pay-bolt11">
                      {p().bolt11}
                    </code>
                    <CopyButton text={p().bolt11!} label="Copy" />
                  </div>
                  <div class="flex flex-wrap items-center justify-between gap-2">
                    <Spinner label="Waiting for the payment…" />
                    <a href={`lightning:${p().bolt11!}`} class="text-sm font-semibold text-indigo-700 hover:underline">
                      Open in wallet
                    </a>
                  </div>
                  <Show when={p().expires_at}>
                    <p class="text-xs text-slate-500">This Lightning invoice expires {formatTime(p().expires_at!)}.</p>
                  </Show>
                </>
              )}
            </Match>
            <Match when={s().state === 'in-progress'}>
              <Alert tone="warning" testid="pay-in-progress">
                {errorText(new ApiError(409, 'payment-in-progress', ''))}
              </Alert>
              <Spinner label="Checking the wallet payment…" />
            </Match>
            <Match when={s().state === 'paid'}>
              <Alert tone="success" testid="pay-paid">
                <span class="font-semibold">Paid.</span> The invoice is settled; thank you.
              </Alert>
            </Match>
            <Match when={s().state === 'expired'}>
              <Alert tone="warning" testid="pay-expired">
                This Lightning invoice expired before it was paid. Nothing was charged.
              </Alert>
              <Button variant="secondary" onClick={() => invoiceId() && void request(generation, invoiceId()!)}>
                Get a new Lightning invoice
              </Button>
            </Match>
            <Match when={s().state === 'no-invoice'}>
              <Alert tone="info">{(s() as { message: string }).message}</Alert>
            </Match>
            <Match when={s().state === 'error'}>
              <Alert testid="pay-error">{(s() as { message: string }).message}</Alert>
            </Match>
          </Switch>
        </div>
        <div class="flex flex-wrap items-center justify-end gap-3 pt-1">
          <Show when={props.setupInstead && s().state !== 'paid'}>
            <Link href="/account" class="text-sm font-medium text-indigo-700 hover:underline">
              Set up payment instead
            </Link>
          </Show>
          <Button variant={s().state === 'paid' ? 'primary' : 'secondary'} onClick={() => props.onClose()} autofocus>
            {s().state === 'paid' ? 'Done' : 'Close'}
          </Button>
        </div>
      </div>
    </dialog>
  )
}
