// Billing in a real browser against the whole backend with billing on: the local Stripe double (which delivers
// signed webhooks) and a fake NIP-47 wallet service (operator wallet issues bolt11s; a phone wallet settles
// them with payExternally). A tenant creates a paid relay and pays its first invoice from the Lightning dialog
// that opens at once; saves a wallet (a bad URI refused in words, the saved one masked); a failed renewal makes
// the tenant past due (banner, auto-pay error in words) and is paid from the invoice list; the card button opens
// the portal; an operator sees the tenant's billing state.
import type { Browser } from 'playwright-core'
import { npubEncode } from 'nostr-tools/nip19'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { suspendTenantIfGraceOver } from '../../src/billing/grace.js'
import { billingWorld, type BillingWorld } from '../billing/harness.js'
import { FakeWallet } from '../helpers/fake-wallet.js'
import { ensureDashboardBuilt, keys, launchChromium, openPage, screenshots, WAIT, type TestPage } from './harness.js'

const tenant = keys()
const admin = keys()

let w: BillingWorld
let wallet: FakeWallet
let browser: Browser
let tp: TestPage
let relayId = ''
let tenantWalletUri = ''
const pages: TestPage[] = []

beforeAll(async () => {
  await ensureDashboardBuilt()
  wallet = new FakeWallet()
  await wallet.start()
  const operatorUri = await wallet.connect('operator')
  w = await billingWorld(
    { ROBOT_WALLET: operatorUri, BTC_PRICE_USD_OVERRIDE: '50000', SERVER_ADMIN_PUBKEYS: npubEncode(admin.pk) },
    { billing: { lightning: { payTimeoutMs: 1500, lookupTimeoutMs: 3000, checkEveryMs: 1000 } } },
  )
  browser = await launchChromium()
  tp = await openPage(browser, w.base, { signer: tenant })
  pages.push(tp)
}, 60_000)

afterEach(() => {
  for (const p of pages) {
    // The Stripe double's own pages are not the dashboard (it answers 401 for /favicon.ico).
    const ours = p.errors.filter((e) => !e.includes(`(${w.stripe.url}/`))
    expect(ours).toEqual([])
    p.errors.length = 0
  }
})

afterAll(async () => {
  await browser?.close()
  await w?.close()
  await wallet?.close()
})

const tenantRow = async () => (await w.api(tenant, 'GET', `/api/tenants/${tenant.pk}`)).data

async function invoiceRowStatus(id: string): Promise<string | null> {
  return tp.page.locator(`[data-testid="invoice-row"][data-invoice="${id}"]`).getAttribute('data-status')
}

/** Reads the bolt11 shown in the dialog and pays it from "a phone wallet". */
async function payShownBolt11(): Promise<string> {
  const dialog = tp.page.getByTestId('pay-dialog')
  await tp.page.locator('[data-testid="pay-dialog"][data-state="pending"]').waitFor()
  const bolt11 = (await dialog.getByTestId('pay-bolt11').textContent())!.trim()
  expect(bolt11).toMatch(/^lnbcrt/)
  wallet.payExternally(bolt11)
  return bolt11
}

describe('billing dashboard', () => {
  it('creates a paid relay, explaining the bill, and pays the first invoice from the Lightning dialog', async () => {
    const { page } = tp
    await page.goto('/')
    await page.getByRole('button', { name: 'Sign in with extension' }).click()
    await page.getByRole('heading', { name: 'My relays' }).waitFor()
    // Billing is on: no "free here", an Account page in the menu.
    expect(await page.getByText('every plan is free here').count()).toBe(0)
    await page.getByRole('link', { name: 'Account', exact: true }).waitFor()
    await page.getByRole('link', { name: 'New relay' }).click()
    await page.getByLabel('Subdomain').fill('paid-club')
    await page.getByText('paid-club.localhost is available').waitFor()
    expect(await page.getByTestId('billing-off').count()).toBe(0)
    expect(await page.getByTestId('plan-basic').textContent()).toContain('$5 / month')
    await page.getByTestId('plan-basic').click()
    const note = await page.getByTestId('billing-note').textContent()
    expect(note).toContain('$5.00 a month per relay')
    expect(note).toContain('opened at once')
    await screenshots(page, 'new-paid-relay')

    await page.getByRole('button', { name: 'Create relay' }).click()
    await page.getByRole('heading', { name: 'paid-club' }).waitFor()
    relayId = new URL(page.url()).pathname.split('/relays/')[1]!
    // The payment dialog opens right away with a QR code, the amount in sats and a copy button.
    const dialog = page.getByTestId('pay-dialog')
    await page.locator('[data-testid="pay-dialog"][data-state="pending"]').waitFor({ timeout: 40_000 })
    await dialog.getByRole('img', { name: 'QR code of the Lightning invoice' }).waitFor()
    expect(await dialog.getByTestId('pay-sats').textContent()).toBe('10,000 sats')
    await dialog.getByRole('button', { name: /^Copy/ }).waitFor()
    await dialog.getByRole('link', { name: 'Set up payment instead' }).waitFor()
    await screenshots(page, 'pay-dialog')

    await payShownBolt11()
    await page.locator('[data-testid="pay-dialog"][data-state="paid"]').waitFor()
    await dialog.getByText('The invoice is settled').waitFor()
    await dialog.getByRole('button', { name: 'Done' }).click()
    expect(page.url()).toBe(`${w.base}/relays/${relayId}`)

    // The invoice list shows it paid (Stripe marks it paid out of band).
    await w.settle()
    await page.getByRole('link', { name: 'Account', exact: true }).click()
    await page.getByRole('heading', { name: 'Invoices' }).waitFor()
    const first = (await tenantRow()).stripe_customer_id as string
    const invoices = [...w.stripe.invoices.values()].filter((i) => i.customer === first)
    expect(invoices).toHaveLength(1)
    await expect.poll(() => invoiceRowStatus(invoices[0]!.id), { timeout: WAIT }).toBe('paid')
    expect(await page.getByTestId('invoice-status').first().textContent()).toBe('Paid')
    expect(await page.getByRole('link', { name: /View invoice/ }).first().getAttribute('href')).toBe(`${w.stripe.url}/invoice/${invoices[0]!.id}`)
    expect(await page.getByRole('button', { name: 'Pay with Lightning' }).count()).toBe(0)
    // Paid: no banner is left.
    expect(await page.locator('[data-testid^="banner-"]').count()).toBe(0)
  })

  it('refuses a bad wallet URI in words and masks a saved one', async () => {
    const { page } = tp
    await page.getByTestId('wallet-status').waitFor()
    expect(await page.getByTestId('wallet-status').getAttribute('data-set')).toBe('false')
    const field = page.getByLabel('Wallet-connect URI')
    const cases: [string, string][] = [
      ['https://wallet.example', 'A wallet-connect URI starts with nostr+walletconnect:// followed by the wallet’s 64-character public key, then ?relay=…&secret=….'],
      [`nostr+walletconnect://${'a'.repeat(64)}?secret=${'b'.repeat(64)}`, 'This wallet-connect URI names no relay (relay=wss://…).'],
      [`nostr+walletconnect://${'a'.repeat(64)}?relay=https://r.example&secret=${'b'.repeat(64)}`, 'The relay in this wallet-connect URI must be a wss:// (or ws://) address.'],
      [`nostr+walletconnect://${'a'.repeat(64)}?relay=wss://r.example&secret=short`, 'The secret in this wallet-connect URI must be 64 hexadecimal characters.'],
    ]
    for (const [typed, words] of cases) {
      await field.fill(typed)
      await page.getByRole('button', { name: 'Save wallet' }).click()
      await expect.poll(() => page.getByTestId('nwc-url-error').textContent(), { timeout: WAIT }).toBe(words)
      expect(await field.getAttribute('aria-invalid')).toBe('true')
    }
    expect((await tenantRow()).nwc_is_set).toBe(false)

    // A wallet with no sats: saved, then masked; the URI never comes back to the page.
    tenantWalletUri = await wallet.connect('tenant', { behaviour: { kind: 'pay' }, balanceMsats: 0 })
    await field.fill(tenantWalletUri)
    await page.getByRole('button', { name: 'Save wallet' }).click()
    await page.getByTestId('wallet-saved').waitFor()
    expect(await page.getByTestId('wallet-status').getAttribute('data-set')).toBe('true')
    await page.getByTestId('wallet-masked').waitFor()
    expect(await page.locator('#nwc-url').count()).toBe(0)
    const secret = new URL(tenantWalletUri.replace('nostr+walletconnect://', 'http://x/')).searchParams.get('secret')!
    expect(await page.content()).not.toContain(secret)
    await page.reload()
    await page.getByTestId('wallet-masked').waitFor()
    expect(await page.content()).not.toContain(secret)
    expect((await tenantRow()).nwc_is_set).toBe(true)
  })

  it('shows a past-due tenant the banner and the auto-pay error in words, then suspended, and pays the open invoice with Lightning', async () => {
    const { page } = tp
    // The next month: no card, and the wallet has no sats → the card charge fails (past due), auto-pay fails.
    const subscription = (await tenantRow()).stripe_subscription_id as string
    expect(subscription).toMatch(/^sub_/)
    const renewal = await w.stripe.renew(subscription)
    await w.settle()
    await w.server.billing!.lightning!.idle()
    await w.settle()
    await expect.poll(async () => (await tenantRow()).nwc_error, { timeout: WAIT }).toBe('INSUFFICIENT_BALANCE: not enough sats')
    expect((await tenantRow()).past_due_at).not.toBeNull()

    await page.reload()
    const banner = page.getByTestId('banner-past-due')
    await banner.waitFor()
    const text = (await banner.textContent())!
    expect(text).toContain('Payment past due')
    expect(text).toContain('$5.00 is still open')
    expect(text).toContain('your paid relays are suspended until it is paid')
    const walletError = page.getByTestId('wallet-error')
    expect(await walletError.textContent()).toContain('Your wallet did not have enough sats to pay.')
    expect(await walletError.textContent()).toContain('not enough sats')
    await expect.poll(() => invoiceRowStatus(renewal.id), { timeout: WAIT }).toBe('open')
    await screenshots(page, 'account-past-due')

    // The banner is on the relay list too, with the way to the account page.
    await page.getByRole('link', { name: 'My relays' }).click()
    await page.getByTestId('banner-past-due').waitFor()

    // The grace period ends (the grace worker's check, with no days left): the paid relay is suspended.
    expect(await suspendTenantIfGraceOver(w.server.platform, tenant.pk, 0)).toBe(1)
    await w.settle()
    await page.reload()
    const suspended = page.getByTestId('banner-suspended')
    await suspended.waitFor()
    expect(await suspended.textContent()).toContain('Your relay paid-club is suspended for an unpaid invoice: members cannot connect. Pay the $5.00 still open')
    expect(await page.locator('[data-testid="relay-row"][data-subdomain="paid-club"]').getByTestId('status-badge').textContent()).toBe('Suspended')
    await screenshots(page, 'relays-suspended')
    await page.getByRole('link', { name: 'Pay on your account page' }).click()
    await page.getByRole('heading', { name: 'Invoices' }).waitFor()

    await page.locator(`[data-testid="invoice-row"][data-invoice="${renewal.id}"]`).getByRole('button', { name: 'Pay with Lightning' }).click()
    await page.locator('[data-testid="pay-dialog"][data-state="pending"]').waitFor()
    expect(await page.getByTestId('pay-sats').textContent()).toBe('10,000 sats')
    expect(await page.getByRole('link', { name: 'Set up payment instead' }).count()).toBe(0)
    await payShownBolt11()
    await page.locator('[data-testid="pay-dialog"][data-state="paid"]').waitFor()
    await expect.poll(() => invoiceRowStatus(renewal.id), { timeout: WAIT }).toBe('paid')
    await page.getByRole('button', { name: 'Done' }).click()
    await w.settle()
    await expect.poll(async () => (await tenantRow()).past_due_at, { timeout: WAIT }).toBeNull()
    // Paying brings the suspended relay back.
    await expect.poll(async () => (await w.api(tenant, 'GET', `/api/relays/${relayId}`)).data.status, { timeout: WAIT }).toBe('active')
    await page.reload()
    await page.getByRole('heading', { name: 'Invoices' }).waitFor()
    expect(await page.locator('[data-testid^="banner-"]').count()).toBe(0)
    await screenshots(page, 'account')
  })

  it('shows the operator the tenant’s billing state', async () => {
    const op = await openPage(browser, w.base, { signer: admin })
    pages.push(op)
    const { page } = op
    await page.goto('/')
    await page.getByRole('button', { name: 'Sign in with extension' }).click()
    await page.getByRole('heading', { name: 'My relays' }).waitFor()
    const t = await tenantRow()
    await page.goto(`/admin/tenants/${tenant.pk}`)
    await page.getByTestId('tenant-billing').waitFor()
    expect(await page.getByTestId('billing-subscription').textContent()).toBe(t.stripe_subscription_id)
    expect(await page.getByTestId('billing-past-due').textContent()).toBe('No')
    expect(await page.getByTestId('billing-delinquent').textContent()).toBe('None')
    await page.getByTestId('invoice-row').first().waitFor()
    await page.goto(`/admin/relays/${relayId}`)
    await page.getByRole('heading', { name: 'Billing' }).waitFor()
    expect(await page.getByTestId('billing-subscription').textContent()).toBe(t.stripe_subscription_id)
    await op.context.close()
  })

  it('opens the Stripe portal from "Manage card"', async () => {
    const { page } = tp
    await page.goto('/account')
    await page.getByRole('button', { name: 'Manage card' }).click()
    await page.waitForURL(`${w.stripe.url}/portal/**`)
    await page.getByRole('heading', { name: 'Billing portal' }).waitFor()
    expect(await page.textContent('body')).toContain((await tenantRow()).stripe_customer_id)
    // The portal's way back leads to the account page.
    await page.getByRole('link', { name: 'Return' }).click()
    await page.waitForURL(`${w.base}/account`)
    await page.getByRole('heading', { name: 'Invoices' }).waitFor()
  })
})
