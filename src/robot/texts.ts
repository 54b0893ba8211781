// What the robot says, and under which stable id. The id names the cause (one DM per cause, ever): recording
// the same id twice is a no-op in the outbox.

export type NotificationKind = 'relay-ready' | 'payment-due' | 'autopay-failed' | 'past-due' | 'relay-suspended' | 'relay-reactivated' | 'renewal-reminder' | 'payment-action'

export interface Notification {
  /** Stable id of the cause, e.g. `relay-ready:<relayId>`. */
  id: string
  /** Hex pubkey of the tenant. */
  recipient: string
  kind: NotificationKind
  text: string
}

export const AUTOPAY_FAILED_MAX = 240

export const notificationIds = {
  relayReady: (relayId: string) => `relay-ready:${relayId}`,
  paymentDue: (invoiceId: string) => `payment-due:${invoiceId}`,
  autopayFailed: (invoiceId: string, attempt: number | string) => `autopay-failed:${invoiceId}:${attempt}`,
  pastDue: (tenant: string, day: string) => `past-due:${tenant}:${day}`,
  suspended: (relayId: string, activityId: string) => `suspended:${relayId}:${activityId}`,
  reactivated: (relayId: string, activityId: string) => `reactivated:${relayId}:${activityId}`,
  renewal: (subscriptionId: string, periodEnd: number) => `renewal:${subscriptionId}:${periodEnd}`,
  paymentAction: (invoiceId: string) => `payment-action:${invoiceId}`,
}

/** The UTC calendar day of a unix time, `YYYY-MM-DD`. */
export function utcDay(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().slice(0, 10)
}

export function formatUsd(cents: number): string {
  return `$${(cents / 100).toFixed(2)}`
}

/**
 * Strips anything secret-looking from a wallet error before it is shown or sent: wallet-connect URIs, nsec keys
 * and 64-hex strings (a wallet secret has that shape), and collapses whitespace.
 */
export function sanitizeReason(reason: string): string {
  return reason
    .replace(/nostr\+walletconnect:\S*/gi, '[wallet]')
    .replace(/nostrwalletconnect:\S*/gi, '[wallet]')
    .replace(/nsec1[02-9ac-hj-np-z]+/gi, '[redacted]')
    .replace(/\b[0-9a-fA-F]{64}\b/g, '[redacted]')
    .replace(/\s+/g, ' ')
    .trim()
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

export const texts = {
  relayReady: (relayUrl: string, name?: string) =>
    `Your relay ${name ? `"${clip(name, 60)}" ` : ''}is ready: ${relayUrl}`,
  paymentDue: (appUrl: string, amountCents?: number) =>
    `Payment due: your Caravel invoice${amountCents !== undefined ? ` for ${formatUsd(amountCents)}` : ''} is open. Pay it with Lightning or a card from your dashboard: ${appUrl}`,
  autopayFailed: (reason: string) => clip(`NWC auto-payment failed: ${sanitizeReason(reason) || 'unknown error'}`, AUTOPAY_FAILED_MAX),
  pastDue: (appUrl: string, pastDueSince: number, suspendsAt: number | undefined) =>
    `Reminder: your Caravel payment has been past due since ${utcDay(pastDueSince)}. ` +
    (suspendsAt === undefined
      ? 'Your paid relays stay suspended until it is paid'
      : `Your paid relays will be suspended on ${utcDay(suspendsAt)} unless it is paid`) +
    `: ${appUrl}`,
  relaySuspended: (relayUrl: string, appUrl: string) =>
    `Your relay ${relayUrl} is suspended for non-payment. Paying the open invoice brings it back: ${appUrl}`,
  relayReactivated: (relayUrl: string) => `Payment received: your relay ${relayUrl} is active again.`,
  paymentAction: (hostedUrl: string) => `Your card needs your confirmation to pay your Caravel invoice. Confirm it here: ${hostedUrl}`,
  renewalSoon: (appUrl: string, renewsAt: number, amountCents: number) =>
    `Your Caravel plan renews on ${utcDay(renewsAt)} (${formatUsd(amountCents)}) and no working payment method is set. Add a card or connect a Lightning wallet: ${appUrl}`,
}
