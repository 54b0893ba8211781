// The Lightning payment dialog against a scripted API (jsdom): QR, sats and copy for a fresh bolt11, the live
// state polled until paid or expired (then a new bolt11 on request), `payment-in-progress` in words, and the
// first invoice found after a relay was created.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { LightningPayment } from '../lib/api'
import { ok, useMount, useScriptedApi } from '../../test/dom'
import { LightningDialog } from './LightningDialog'

const payment = (status: LightningPayment['status'], bolt11: string | null = null): LightningPayment => ({
  invoice_id: 'in_1',
  status,
  bolt11,
  amount_sats: bolt11 ? 10_000 : null,
  amount_cents: 500,
  expires_at: bolt11 ? 1_900_000_000 : null,
})

const { calls, script } = useScriptedApi()
const mount = useMount()

beforeEach(() => vi.useFakeTimers())
afterEach(() => vi.useRealTimers())

const state = (root: HTMLElement) => root.querySelector('[data-testid="pay-dialog"]')!.getAttribute('data-state')
const settle = () => vi.advanceTimersByTimeAsync(0)

describe('Lightning dialog', () => {
  it('shows the QR, the sats and a copy button, and follows the payment until paid', async () => {
    script['POST /api/invoices/in_1/lightning'] = [ok(payment('pending', 'lnbcrt100u1abc'))]
    script['GET /api/invoices/in_1/lightning'] = [ok(payment('pending', 'lnbcrt100u1abc')), ok(payment('paid'))]
    const onPaid = vi.fn()
    const root = mount(() => <LightningDialog open invoiceId="in_1" onClose={() => {}} onPaid={onPaid} />)
    await settle()
    expect(state(root)).toBe('pending')
    expect(root.querySelector('[role="img"]')!.getAttribute('aria-label')).toBe('QR code of the Lightning invoice')
    expect(root.querySelector('[role="img"] svg')).not.toBeNull()
    expect(root.querySelector('[data-testid="pay-sats"]')!.textContent).toBe('10,000 sats')
    expect(root.textContent).toContain('This pays $5.00.')
    expect(root.querySelector('button[aria-label="Copy lnbcrt100u1abc"]')).not.toBeNull()
    expect(root.querySelector('a[href="lightning:lnbcrt100u1abc"]')).not.toBeNull()
    await vi.advanceTimersByTimeAsync(1600)
    expect(state(root)).toBe('pending')
    await vi.advanceTimersByTimeAsync(1600)
    expect(state(root)).toBe('paid')
    expect(root.querySelector('[data-testid="pay-paid"]')!.textContent).toContain('The invoice is settled')
    expect(onPaid).toHaveBeenCalledOnce()
    // No more polling once paid.
    const n = calls.length
    await vi.advanceTimersByTimeAsync(10_000)
    expect(calls.length).toBe(n)
  })

  it('says when the bolt11 expired and gets a new one on request', async () => {
    script['POST /api/invoices/in_1/lightning'] = [ok(payment('pending', 'lnbcrt-old')), ok(payment('pending', 'lnbcrt-new'))]
    script['GET /api/invoices/in_1/lightning'] = [ok(payment('expired'))]
    const root = mount(() => <LightningDialog open invoiceId="in_1" onClose={() => {}} />)
    await settle()
    await vi.advanceTimersByTimeAsync(1600)
    expect(state(root)).toBe('expired')
    expect(root.querySelector('[data-testid="pay-expired"]')!.textContent).toBe('This Lightning invoice expired before it was paid. Nothing was charged.')
    const again = [...root.querySelectorAll('button')].find((b) => b.textContent === 'Get a new Lightning invoice')!
    again.click()
    await settle()
    expect(state(root)).toBe('pending')
    expect(root.querySelector('[data-testid="pay-bolt11"]')!.textContent).toBe('lnbcrt-new')
  })

  it('says in words that a wallet payment is still in progress, and keeps checking', async () => {
    script['POST /api/invoices/in_1/lightning'] = [{ status: 409, body: { error: 'a wallet payment of this invoice is still in progress; try again in a few minutes', code: 'payment-in-progress' } }]
    script['GET /api/invoices/in_1/lightning'] = [ok(payment('in-progress')), ok(payment('paid'))]
    const root = mount(() => <LightningDialog open invoiceId="in_1" onClose={() => {}} />)
    await settle()
    expect(state(root)).toBe('in-progress')
    expect(root.querySelector('[data-testid="pay-in-progress"]')!.textContent).toBe(
      'Your connected wallet is still paying this invoice. Wait a few minutes before paying it another way, so it is not paid twice.',
    )
    await vi.advanceTimersByTimeAsync(5000)
    expect(state(root)).toBe('in-progress')
    await vi.advanceTimersByTimeAsync(5000)
    expect(state(root)).toBe('paid')
  })

  it('shows other refusals in words', async () => {
    script['POST /api/invoices/in_1/lightning'] = [{ status: 409, body: { error: 'this invoice is void; only open invoices can be paid', code: 'invoice-not-open' } }]
    const root = mount(() => <LightningDialog open invoiceId="in_1" onClose={() => {}} />)
    await settle()
    expect(state(root)).toBe('error')
    expect(root.querySelector('[data-testid="pay-error"]')!.textContent).toBe('This invoice is void; only open invoices can be paid.')
  })

  it('waits for the invoice a new paid relay opens, then offers it, with "set up payment instead"', async () => {
    const since = 1_800_000_000
    const inv = { id: 'in_1', status: 'open', amount_due: 500, amount_paid: 0, amount_remaining: 500, currency: 'usd', created: since + 1, due_date: null, period_start: null, period_end: null, hosted_invoice_url: null }
    script['GET /api/tenants/abc/invoices?limit=5'] = [ok({ items: [], next_cursor: null }), ok({ items: [inv], next_cursor: null })]
    script['POST /api/invoices/in_1/lightning'] = [ok(payment('pending', 'lnbcrt-first'))]
    script['GET /api/invoices/in_1/lightning'] = [ok(payment('pending', 'lnbcrt-first'))]
    const root = mount(() => <LightningDialog open find={{ pubkey: 'abc', since }} setupInstead onClose={() => {}} />)
    await settle()
    expect(state(root)).toBe('finding')
    expect(root.textContent).toContain('Waiting for Stripe to open the invoice…')
    expect(root.querySelector('a[href="/account"]')!.textContent).toBe('Set up payment instead')
    await vi.advanceTimersByTimeAsync(1100)
    expect(state(root)).toBe('pending')
    expect(root.querySelector('[data-testid="pay-bolt11"]')!.textContent).toBe('lnbcrt-first')
  })
})
