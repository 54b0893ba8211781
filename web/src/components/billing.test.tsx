// Rendered billing components (jsdom): the banner with its words and way to pay, the invoice list with its
// hosted links and "Pay with Lightning" only on open invoices, and the operator's billing summary.
import { render } from 'solid-js/web'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Invoice, Tenant } from '../lib/api'
import { billingBanner } from '../lib/billing'
import { BannerView } from './BillingBanner'
import { InvoiceList } from './InvoiceList'
import { TenantBilling } from './TenantBilling'

let dispose: (() => void) | undefined
afterEach(() => {
  dispose?.()
  document.body.innerHTML = ''
})

function mount(ui: () => any): HTMLElement {
  const root = document.createElement('div')
  document.body.append(root)
  dispose = render(ui, root)
  return root
}

const NOW = Date.UTC(2026, 0, 10, 12) / 1000
const invoice = (id: string, status: string, remaining: number): Invoice => ({
  id,
  status,
  amount_due: 500,
  amount_paid: 500 - remaining,
  amount_remaining: remaining,
  currency: 'usd',
  created: NOW,
  due_date: null,
  period_start: NOW,
  period_end: NOW + 31 * 86_400,
  hosted_invoice_url: `https://stripe.example/invoice/${id}`,
})

describe('billing banner', () => {
  it('renders the suspended banner as an alert with a link to pay', () => {
    const banner = billingBanner({ billingEnabled: true, tenant: { past_due_at: NOW - 8 * 86_400 }, invoices: [invoice('in_1', 'open', 500)], relays: [{ status: 'delinquent', subdomain: 'club' }], now: NOW })
    const root = mount(() => <BannerView banner={banner} accountLink />)
    const el = root.querySelector('[data-testid="banner-suspended"]')!
    expect(el.getAttribute('role')).toBe('alert')
    expect(el.textContent).toContain('Relay suspended')
    expect(el.textContent).toContain('Your relay club is suspended for an unpaid invoice')
    expect(root.querySelector('a')!.getAttribute('href')).toBe('/account')
  })

  it('renders the past-due banner as a status, without a link on the account page itself', () => {
    const banner = billingBanner({ billingEnabled: true, tenant: { past_due_at: NOW - 86_400 }, invoices: [], relays: [], graceDays: 3, now: NOW })
    const root = mount(() => <BannerView banner={banner} />)
    const el = root.querySelector('[data-testid="banner-past-due"]')!
    expect(el.getAttribute('role')).toBe('status')
    expect(el.textContent).toContain('(3 days of grace)')
    expect(root.querySelector('a')).toBeNull()
  })

  it('renders nothing without a banner', () => {
    const root = mount(() => <BannerView banner={null} accountLink />)
    expect(root.textContent).toBe('')
  })
})

describe('invoice list', () => {
  it('shows status, amount and dates, links Stripe’s page, and offers Lightning only on open invoices', () => {
    const onPay = vi.fn()
    const invoices = [invoice('in_open', 'open', 500), invoice('in_paid', 'paid', 0), invoice('in_void', 'void', 0)]
    const root = mount(() => <InvoiceList invoices={invoices} onPay={onPay} />)
    const rows = [...root.querySelectorAll('[data-testid="invoice-row"]')]
    expect(rows.map((r) => r.querySelector('[data-testid="invoice-status"]')!.textContent)).toEqual(['Open', 'Paid', 'Void'])
    expect(rows[0]!.textContent).toContain('$5.00')
    expect(rows[0]!.textContent).toContain('Jan 10, 2026')
    const link = rows[1]!.querySelector('a')!
    expect(link.getAttribute('href')).toBe('https://stripe.example/invoice/in_paid')
    expect(link.getAttribute('target')).toBe('_blank')
    expect(link.getAttribute('rel')).toContain('noopener')
    const buttons = rows.map((r) => [...r.querySelectorAll('button')].map((b) => b.textContent))
    expect(buttons).toEqual([['Pay with Lightning'], [], []])
    rows[0]!.querySelector('button')!.click()
    expect(onPay).toHaveBeenCalledWith(invoices[0])
  })

  it('has no Lightning button when Lightning is off, and says when there are no invoices', () => {
    expect(mount(() => <InvoiceList invoices={[invoice('in_open', 'open', 500)]} />).querySelector('button')).toBeNull()
    dispose?.()
    expect(mount(() => <InvoiceList invoices={[]} />).textContent).toBe('No invoices yet.')
  })
})

describe('operator billing summary', () => {
  it('shows the subscription, past due since and suspended relays', () => {
    const tenant: Tenant = {
      pubkey: 'a'.repeat(64),
      nwc_is_set: true,
      nwc_error: 'INSUFFICIENT_BALANCE: not enough sats',
      nwc_wallet_pubkey: null,
      past_due_at: NOW,
      stripe_customer_id: 'cus_1',
      stripe_subscription_id: 'sub_1',
      created_at: NOW,
    }
    const root = mount(() => (
      <TenantBilling
        tenant={tenant}
        graceDays={7}
        relays={[
          { id: 'r1', subdomain: 'club', status: 'delinquent' },
          { id: 'r2', subdomain: 'other', status: 'active' },
        ]}
      />
    ))
    const text = (id: string) => root.querySelector(`[data-testid="${id}"]`)!.textContent
    expect(text('billing-subscription')).toBe('sub_1')
    expect(text('billing-past-due')).toMatch(/^Since .*2026.* \(relays suspended after 7 days\)$/)
    expect(text('billing-delinquent')).toBe('club')
    expect(root.querySelector('[data-testid="billing-delinquent"] a')!.getAttribute('href')).toBe('/admin/relays/r1')
    expect(text('billing-nwc-error')).toContain('Your wallet did not have enough sats to pay.')
  })
})
