// The signed-in tenant's billing state, loaded together: the tenant row (wallet, past due), the first page of
// invoices and the relays (for suspended ones). Used by the account page and the banners.
import { createSignal } from 'solid-js'
import { api, type Invoice, type Relay, type Tenant } from './api'
import { errorText } from './errors'

/** Bumped after a payment or a wallet change, so every banner on screen loads the billing state again. */
const [billingVersion, setBillingVersion] = createSignal(0)
export { billingVersion }
export const billingChanged = () => setBillingVersion((v) => v + 1)

export function createAccount(pubkey: () => string) {
  const [tenant, setTenant] = createSignal<Tenant | undefined>()
  const [invoices, setInvoices] = createSignal<Invoice[]>([])
  const [invoiceCursor, setInvoiceCursor] = createSignal<string | null>(null)
  const [relays, setRelays] = createSignal<Relay[]>([])
  const [loaded, setLoaded] = createSignal(false)
  const [loading, setLoading] = createSignal(false)
  const [error, setError] = createSignal<string | null>(null)
  let generation = 0

  const reload = async () => {
    const mine = ++generation
    setLoading(true)
    try {
      const [t, inv, rel] = await Promise.all([api.tenant(pubkey()), api.invoices(pubkey(), { limit: 10 }), api.tenantRelays(pubkey(), { limit: 100 })])
      if (mine !== generation) return
      setTenant(t)
      setInvoices(inv.items)
      setInvoiceCursor(inv.next_cursor)
      setRelays(rel.items)
      setError(null)
      setLoaded(true)
    } catch (err) {
      if (mine === generation) setError(errorText(err))
    } finally {
      if (mine === generation) setLoading(false)
    }
  }

  const moreInvoices = async () => {
    const cursor = invoiceCursor()
    if (!cursor) return
    setLoading(true)
    try {
      const page = await api.invoices(pubkey(), { limit: 10, cursor })
      setInvoices([...invoices(), ...page.items])
      setInvoiceCursor(page.next_cursor)
    } catch (err) {
      setError(errorText(err))
    } finally {
      setLoading(false)
    }
  }

  return { tenant, setTenant, invoices, invoiceCursor, relays, loaded, loading, error, reload, moreInvoices }
}

export type Account = ReturnType<typeof createAccount>
