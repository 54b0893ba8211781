import { createSignal, onCleanup, onMount, Show, type JSX } from 'solid-js'
import { Alert } from '../components/Alert'
import { accountBanner, BannerView } from '../components/BillingBanner'
import { Button } from '../components/Button'
import { ConfirmDialog } from '../components/ConfirmDialog'
import { Field, inputClass } from '../components/Field'
import { InvoiceList } from '../components/InvoiceList'
import { PageTitle } from '../components/Layout'
import { LightningDialog } from '../components/LightningDialog'
import { Spinner } from '../components/Spinner'
import { createAccount, type Account } from '../lib/account'
import { api, type Invoice } from '../lib/api'
import { errorText, walletErrorText } from '../lib/errors'
import { config, identity } from '../lib/session'
import { walletUriMessage } from '../lib/wallet'

function Section(props: { title: string; id: string; children: JSX.Element }) {
  return (
    <section aria-labelledby={props.id} class="space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-5">
      <h2 id={props.id} class="text-base font-semibold">
        {props.title}
      </h2>
      {props.children}
    </section>
  )
}

export function AccountPage() {
  return (
    <>
      <PageTitle>Account</PageTitle>
      <Show
        when={config()?.billing_enabled}
        fallback={
          <Alert tone="info" testid="billing-off">
            Billing is off on this deployment: every plan is free here, so there is nothing to pay and no card or wallet to set up.
          </Alert>
        }
      >
        <Billing />
      </Show>
    </>
  )
}

function Billing() {
  const account = createAccount(() => identity()!.pubkey)
  const [paying, setPaying] = createSignal<Invoice | undefined>()
  let refreshTimer: ReturnType<typeof setTimeout> | undefined
  onMount(() => void account.reload())
  onCleanup(() => clearTimeout(refreshTimer))

  /** After a Lightning payment Stripe marks the invoice paid out of band: reload until it shows. */
  const refreshUntilPaid = (id: string, tries = 30) => {
    clearTimeout(refreshTimer)
    void account.reload().then(() => {
      const inv = account.invoices().find((i) => i.id === id)
      if (inv && inv.status === 'open' && tries > 0) refreshTimer = setTimeout(() => refreshUntilPaid(id, tries - 1), 1000)
    })
  }

  return (
    <Show
      when={account.loaded()}
      fallback={<Show when={account.error()} fallback={<Spinner label="Loading your account…" />}>{<Alert>{account.error()}</Alert>}</Show>}
    >
      <div class="space-y-5">
        <BannerView banner={accountBanner(account)} />
        <Show when={account.error()}>
          <Alert>{account.error()}</Alert>
        </Show>
        <CardSection />
        <Show when={config()?.lightning_enabled}>
          <WalletSection account={account} />
        </Show>
        <Section title="Invoices" id="invoices-title">
          <p class="text-sm text-slate-600">
            Paid relays are billed monthly, per relay, through Stripe.{' '}
            {config()?.lightning_enabled ? 'Open invoices can be paid with Lightning here.' : ''}
          </p>
          <InvoiceList invoices={account.invoices()} onPay={config()?.lightning_enabled ? setPaying : undefined} />
          <Show when={account.invoiceCursor()}>
            <Button variant="secondary" busy={account.loading()} onClick={() => void account.moreInvoices()}>
              Show older invoices
            </Button>
          </Show>
        </Section>
      </div>
      <LightningDialog
        open={paying() !== undefined}
        invoiceId={paying()?.id}
        onClose={() => {
          setPaying(undefined)
          void account.reload()
        }}
        onPaid={() => {
          const id = paying()?.id
          if (id) refreshUntilPaid(id)
        }}
      />
    </Show>
  )
}

function CardSection() {
  const [busy, setBusy] = createSignal(false)
  const [error, setError] = createSignal<string | null>(null)
  return (
    <Section title="Card" id="card-title">
      <p class="text-sm text-slate-700">
        Add or change your card in Stripe’s portal (Caravel never sees it); invoices are charged to it automatically when they open.
      </p>
      <Show when={error()}>
        <Alert>{error()}</Alert>
      </Show>
      <Button
        variant="secondary"
        busy={busy()}
        onClick={async () => {
          setBusy(true)
          setError(null)
          try {
            const { url } = await api.portal(identity()!.pubkey)
            // Stripe's portal brings the tenant back to this page.
            window.location.assign(url)
          } catch (err) {
            setError(errorText(err))
            setBusy(false)
          }
        }}
      >
        Manage card
      </Button>
    </Section>
  )
}

function WalletSection(props: { account: Account }) {
  const tenant = () => props.account.tenant()
  const [uri, setUri] = createSignal('')
  const [touched, setTouched] = createSignal(false)
  const [editing, setEditing] = createSignal(false)
  const [busy, setBusy] = createSignal(false)
  const [error, setError] = createSignal<string | null>(null)
  const [saved, setSaved] = createSignal<string | null>(null)
  const [confirmRemove, setConfirmRemove] = createSignal(false)
  const problem = () => (touched() ? walletUriMessage(uri()) : null)
  const showForm = () => editing() || !tenant()?.nwc_is_set

  const save = async (e: Event) => {
    e.preventDefault()
    setTouched(true)
    setSaved(null)
    setError(null)
    if (walletUriMessage(uri())) return
    setBusy(true)
    try {
      const t = await api.setWallet(identity()!.pubkey, uri().trim())
      props.account.setTenant(t)
      // Never kept or shown again once saved.
      setUri('')
      setTouched(false)
      setEditing(false)
      setSaved('Wallet saved. Open invoices are paid from it now, and new ones as they open.')
    } catch (err) {
      setError(errorText(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Section title="Lightning wallet (auto-pay)" id="wallet-title">
      <p class="text-sm text-slate-700" data-testid="wallet-status" data-set={tenant()?.nwc_is_set ? 'true' : 'false'}>
        {tenant()?.nwc_is_set
          ? 'A wallet is connected: invoices are paid from it automatically with Lightning, over Nostr Wallet Connect.'
          : 'No wallet connected. Connect one with Nostr Wallet Connect to pay invoices automatically with Lightning.'}
      </p>
      <Show when={tenant()?.nwc_is_set && !editing()}>
        <div class="flex flex-wrap items-center gap-2">
          <code class="rounded bg-slate-100 px-2 py-1 text-xs text-slate-700" data-testid="wallet-masked" aria-label="Saved wallet-connect URI, hidden">
            nostr+walletconnect://•••••••••••• (saved, hidden)
          </code>
          <Button variant="secondary" class="py-1" onClick={() => (setEditing(true), setSaved(null))}>
            Replace wallet
          </Button>
          <Button variant="ghost" class="py-1" onClick={() => setConfirmRemove(true)}>
            Disconnect
          </Button>
        </div>
      </Show>
      <Show when={tenant()?.nwc_error}>
        {(raw) => {
          const e = () => walletErrorText(raw())
          return (
            <Alert tone="warning" testid="wallet-error">
              <p class="font-semibold">The last automatic payment failed.</p>
              <p>{e().words}</p>
              <Show when={e().detail}>
                <p class="text-xs">Your wallet said: “{e().detail}”</p>
              </Show>
            </Alert>
          )
        }}
      </Show>
      <Show when={saved()}>
        <Alert tone="success" testid="wallet-saved">
          {saved()}
        </Alert>
      </Show>
      <Show when={showForm()}>
        <form class="space-y-3" novalidate onSubmit={save}>
          <Field
            id="nwc-url"
            label="Wallet-connect URI"
            error={problem()}
            hint="From your wallet’s Nostr Wallet Connect settings; give the connection a budget that covers your plan. It is stored encrypted and never shown again."
          >
            <input
              id="nwc-url"
              class={`${inputClass} font-mono`}
              autocomplete="off"
              spellcheck={false}
              autocapitalize="none"
              placeholder="nostr+walletconnect://…"
              value={uri()}
              aria-invalid={problem() ? 'true' : 'false'}
              aria-describedby={problem() ? 'nwc-url-error' : 'nwc-url-hint'}
              onInput={(e) => (setUri(e.currentTarget.value), setSaved(null), setError(null))}
              onBlur={() => uri() !== '' && setTouched(true)}
            />
          </Field>
          <Show when={error()}>
            <Alert testid="wallet-save-error">{error()}</Alert>
          </Show>
          <div class="flex flex-wrap items-center gap-3">
            <Button type="submit" busy={busy()}>
              Save wallet
            </Button>
            <Show when={editing()}>
              <Button variant="ghost" onClick={() => (setEditing(false), setUri(''), setTouched(false))}>
                Cancel
              </Button>
            </Show>
          </div>
        </form>
      </Show>
      <ConfirmDialog
        open={confirmRemove()}
        title="Disconnect the wallet?"
        confirmLabel="Disconnect"
        danger
        busy={busy()}
        onCancel={() => setConfirmRemove(false)}
        onConfirm={async () => {
          setBusy(true)
          try {
            props.account.setTenant(await api.setWallet(identity()!.pubkey, null))
            setSaved('Wallet disconnected. Invoices are charged to your card.')
          } catch (err) {
            setError(errorText(err))
          } finally {
            setBusy(false)
            setConfirmRemove(false)
          }
        }}
      >
        <p>Invoices will no longer be paid from this wallet. You can connect it again at any time.</p>
      </ConfirmDialog>
    </Section>
  )
}
