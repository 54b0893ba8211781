import { createEffect, on, Show } from 'solid-js'
import { billingVersion, createAccount, type Account } from '../lib/account'
import { billingBanner, type Banner } from '../lib/billing'
import { path } from '../lib/router'
import { config, identity } from '../lib/session'
import { Alert } from './Alert'
import { Link } from './Link'

/** A billing banner: what is wrong, what happens next, and where to pay. */
export function BannerView(props: { banner: Banner | null; accountLink?: boolean }) {
  return (
    <Show when={props.banner}>
      {(b) => (
        <Alert tone={b().tone} testid={`banner-${b().kind}`}>
          <p class="font-semibold">{b().title}</p>
          <p>{b().text}</p>
          <Show when={props.accountLink}>
            <Link href="/account" class="mt-1 inline-block font-semibold underline">
              Pay on your account page
            </Link>
          </Show>
        </Alert>
      )}
    </Show>
  )
}

const now = () => Math.floor(Date.now() / 1000)

export function accountBanner(account: Account): Banner | null {
  const cfg = config()
  return billingBanner({
    billingEnabled: cfg?.billing_enabled ?? false,
    tenant: account.tenant(),
    invoices: account.invoices(),
    relays: account.relays(),
    graceDays: cfg?.billing_grace_days,
    now: now(),
  })
}

/** The signed-in tenant's banner on pages other than the account page (loads what it needs; nothing with billing off). */
export function AccountBanner() {
  return (
    <Show when={config()?.billing_enabled && identity()}>
      {(me) => {
        const account = createAccount(() => me().pubkey)
        createEffect(on(billingVersion, () => void account.reload()))
        return <BannerView banner={accountBanner(account)} accountLink={path() !== '/account'} />
      }}
    </Show>
  )
}
