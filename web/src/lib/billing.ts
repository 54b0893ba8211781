// Billing as the dashboard presents it: money, invoice states, the banners (payment due, past due, suspended)
// and what choosing a paid plan will bill. Pure functions, so the rules are tested without a browser.
import type { Invoice, Plan, Relay, Tenant } from './api'
import type { Tone } from './relay'

export function formatCents(cents: number, currency = 'usd'): string {
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).format(cents / 100)
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency.toUpperCase()}`
  }
}

export function formatSats(sats: number): string {
  return `${sats.toLocaleString('en-US')} sats`
}

const day = (unix: number) => new Date(unix * 1000).toLocaleDateString('en-US', { dateStyle: 'medium' })

/** An invoice that can still be paid: open with something left to pay. */
export function isPayable(invoice: Pick<Invoice, 'status' | 'amount_remaining'>): boolean {
  return invoice.status === 'open' && invoice.amount_remaining > 0
}

export const INVOICE_STATUS: Record<string, { label: string; tone: Tone; help: string }> = {
  draft: { label: 'Draft', tone: 'slate', help: 'Stripe is still preparing this invoice; it opens within the hour.' },
  open: { label: 'Open', tone: 'amber', help: 'Waiting for payment.' },
  paid: { label: 'Paid', tone: 'green', help: 'Paid in full.' },
  uncollectible: { label: 'Uncollectible', tone: 'red', help: 'Stripe gave up collecting this invoice.' },
  void: { label: 'Void', tone: 'slate', help: 'Cancelled: nothing is owed.' },
}

export function invoiceStatus(status: string | null): { label: string; tone: Tone; help: string } {
  return (status && INVOICE_STATUS[status]) || { label: status ?? 'Unknown', tone: 'slate', help: '' }
}

export interface Banner {
  kind: 'suspended' | 'past-due' | 'payment-due'
  tone: 'error' | 'warning' | 'info'
  title: string
  text: string
}

export interface BannerInput {
  billingEnabled: boolean
  tenant: Pick<Tenant, 'past_due_at'> | undefined
  invoices: Pick<Invoice, 'status' | 'amount_remaining' | 'currency' | 'due_date'>[]
  relays: Pick<Relay, 'status' | 'subdomain'>[]
  /** BILLING_GRACE_DAYS when the server tells it. */
  graceDays?: number
  /** unix seconds */
  now: number
}

const list = (names: string[]) => (names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`)

/**
 * The one banner that matters most, or none: suspended relays first (the relays are down), then past due (a
 * payment failed and the grace period runs), then an open invoice waiting for payment.
 */
export function billingBanner(input: BannerInput): Banner | null {
  if (!input.billingEnabled) return null
  const open = input.invoices.filter(isPayable)
  const owed = open.reduce((sum, i) => sum + i.amount_remaining, 0)
  const currency = open[0]?.currency ?? 'usd'
  const suspended = input.relays.filter((r) => r.status === 'delinquent').map((r) => r.subdomain)
  if (suspended.length > 0) {
    const which = suspended.length === 1 ? `Your relay ${suspended[0]} is` : `Your relays ${list(suspended)} are`
    return {
      kind: 'suspended',
      tone: 'error',
      title: suspended.length === 1 ? 'Relay suspended' : 'Relays suspended',
      text:
        `${which} suspended for an unpaid invoice: members cannot connect. ` +
        `${owed > 0 ? `Pay the ${formatCents(owed, currency)} still open` : 'Pay the open invoice'} and ${suspended.length === 1 ? 'it comes' : 'they come'} back at once, with everything ${suspended.length === 1 ? 'it' : 'they'} had.`,
    }
  }
  const since = input.tenant?.past_due_at
  if (since) {
    const grace = input.graceDays
    let after: string
    if (grace === undefined) after = 'If it stays unpaid past the grace period, your paid relays are suspended until it is paid.'
    else {
      const deadline = since + grace * 86_400
      after =
        deadline > input.now
          ? `If it is still unpaid on ${day(deadline)} (${grace} ${grace === 1 ? 'day' : 'days'} of grace), your paid relays are suspended until it is paid.`
          : 'The grace period is over: your paid relays are about to be suspended until it is paid.'
    }
    return {
      kind: 'past-due',
      tone: 'warning',
      title: 'Payment past due',
      text: `A payment failed on ${day(since)}${owed > 0 ? ` and ${formatCents(owed, currency)} is still open` : ''}. Pay with Lightning or update your card. ${after}`,
    }
  }
  if (owed > 0) {
    const due = open.map((i) => i.due_date).filter((d): d is number => d !== null).sort((a, b) => a - b)[0]
    return {
      kind: 'payment-due',
      tone: 'info',
      title: 'Payment due',
      text: `${formatCents(owed, currency)} is open${due ? `, due ${day(due)}` : ''}. It is charged to your card or connected wallet automatically; you can also pay it now with Lightning.`,
    }
  }
  return null
}

/**
 * What choosing `target` for a relay will bill, in words, or null when nothing is billed. `from` is the relay's
 * current plan (none when creating); `hasSubscription` whether the tenant already pays for paid relays.
 */
export function planBillingNote(target: Plan, options: { billingEnabled: boolean; hasSubscription: boolean; from?: Plan; lightning?: boolean }): string | null {
  const { billingEnabled, hasSubscription, from, lightning } = options
  if (!billingEnabled) return null
  const price = (p: Plan) => `${formatCents(p.amount)} a month`
  if (from && from.id === target.id) return null
  if (target.amount === 0) {
    if (!from || from.amount === 0) return null
    return `This relay leaves your subscription: from today it is free, and the unused part of this month (${price(from)}) is credited on your next invoice.`
  }
  const how = lightning ? 'Pay it with Lightning right away, or by card or connected wallet.' : 'It is charged to your card.'
  if (!hasSubscription) {
    return (
      `The ${target.name} plan costs ${price(target)} per relay. This starts your subscription: ` +
      `an invoice of ${formatCents(target.amount)} for the month from today is opened at once, then one each month on the same day. ${how}`
    )
  }
  if (from && from.amount > 0) {
    const more = target.amount > from.amount
    return (
      `This relay moves from ${price(from)} to ${price(target)} on your subscription, from today. ` +
      `The ${more ? 'difference' : 'saving'} for the rest of this month is ${more ? 'added to' : 'credited on'} your next monthly invoice.`
    )
  }
  return `The ${target.name} plan adds ${price(target)} to your subscription from today; the part of this month left is added to your next monthly invoice.`
}
