// The one table that turns the API's error codes into words for people. The server's own message is kept
// where it names the specific problem (which rule a subdomain breaks, how many members a relay has).

type Describe = string | ((serverMessage: string) => string)

/** A server message as a sentence: capitalised, with a full stop. */
export function sentence(message: string): string {
  const trimmed = message.trim()
  if (!trimmed) return ''
  const capital = trimmed[0]!.toUpperCase() + trimmed.slice(1)
  return /[.!?]$/.test(capital) ? capital : `${capital}.`
}

export const ERROR_MESSAGES: Record<string, Describe> = {
  // Signing in
  'auth-missing': 'You are not signed in. Sign in to continue.',
  'session-invalid': 'Your session has expired. Sign in again.',
  'auth-malformed': 'Your signer produced an authorization the server could not read.',
  'auth-kind': 'Your signer signed the wrong kind of event for signing in.',
  'auth-signature': "Your signer's signature did not verify.",
  'auth-expired': "Your signer's clock is more than a minute off. Check the time on your device and try again.",
  'auth-url': 'This page is not served from the address the server expects. Open the dashboard at its public address.',
  'auth-method': 'The sign-in request was signed for a different method.',
  'auth-payload-missing': 'The sign-in request was signed without its body.',
  'auth-payload': 'The sign-in request body did not match its signature.',
  'auth-replay': 'That signature was already used. Try again.',
  'origin-mismatch': 'This page is not served from the address the server expects. Open the dashboard at its public address.',
  forbidden: 'You are not allowed to do this.',
  // Lookups
  'not-found': 'That was not found.',
  'relay-not-found': 'This relay does not exist (or no longer exists).',
  'tenant-not-found': 'This account does not exist.',
  'plan-not-found': 'This plan does not exist.',
  // Relays
  'invalid-subdomain': (m) => sentence(m) || 'This subdomain cannot be used.',
  'subdomain-reserved': (m) => `${sentence(m)} Choose another subdomain.`,
  'subdomain-exists': 'This subdomain is already taken. Choose another one.',
  'unknown-plan': 'That plan does not exist.',
  'plan-lacks-feature': (m) => `${sentence(m)} Choose a plan that includes it first.`,
  'member-limit-exceeded': (m) => sentence(m),
  'relay-is-inactive': 'This relay is already inactive.',
  'relay-is-active': 'This relay is already active.',
  'relay-is-delinquent': 'This relay is suspended for an unpaid invoice; it comes back as soon as the invoice is paid.',
  'engine-unavailable': 'The relay engine cannot be reached right now. Try again in a moment.',
  // Engines (admins): placing and moving relays
  'unknown-engine': (m) => sentence(m) || 'That engine is not configured on this deployment.',
  'already-on-engine': 'The relay is already on that engine.',
  'move-in-progress': 'This relay is already being moved. Wait for that move to finish.',
  'move-failed': (m) => `An engine refused a step, so the move was undone and the relay runs where it was. ${sentence(m)}`.trim(),
  'move-abandoned': 'The move stalled and was undone meanwhile: the relay runs where it was.',
  'relay-moving': 'This relay is being moved to another engine. Try again in a moment.',
  'invalid-url': (m) => sentence(m) || 'Enter a web address starting with http:// or https://.',
  'invalid-pubkey': 'Enter a public key as npub1… or 64 hexadecimal characters.',
  // Members, invites, moderation, import (the server's message names the limit, the code or the line)
  'member-limit-reached': (m) => sentence(m) || 'The plan allows no more members. Upgrade to add more.',
  'management-disabled': (m) => sentence(m) || 'Turn on relay management for this relay first.',
  'configured-member': (m) => sentence(m) || 'The owner, the relay and operators cannot be removed or banned.',
  'management-refused': (m) => (m ? `The relay refused: ${sentence(m)}` : 'The relay refused.'),
  'relay-not-synced': 'The relay is not live yet. Try again in a moment.',
  'invalid-event-id': 'Enter an event id: 64 hexadecimal characters.',
  'invalid-exempt-kinds': (m) => sentence(m) || 'Those kinds cannot be exempt.',
  'not-supported-by-engine': (m) => sentence(m) || 'The relay engine serving this relay does not support this.',
  'payload-too-large': 'That is too much to send at once.',
  // Billing and Lightning
  'billing-disabled': 'Billing is off on this deployment: every plan is free here, so there is nothing to pay.',
  'lightning-disabled': 'Lightning payments are not set up on this deployment. Pay with a card instead.',
  'invoice-not-found': 'This invoice does not exist, or it is not yours.',
  'invoice-not-open': (m) => sentence(m) || 'This invoice is not open; only open invoices can be paid.',
  'payment-in-progress':
    'Your connected wallet is still paying this invoice. Wait a few minutes before paying it another way, so it is not paid twice.',
  'payment-changed': 'The payment of this invoice changed meanwhile. Try again.',
  'price-unavailable': 'The bitcoin price cannot be fetched right now, so the amount in sats is unknown. Try again in a few minutes.',
  'invalid-amount': 'This invoice has no amount that can be paid with Lightning.',
  'invalid-nwc-url': (m) => walletUriWords(m),
  // Input shape
  'field-too-long': (m) => sentence(m),
  'invalid-field': (m) => sentence(m),
  'missing-field': (m) => sentence(m),
  'unknown-field': (m) => `The dashboard sent something the server does not accept (${m}). Reload the page.`,
  'invalid-json': 'The dashboard sent a request the server could not read. Reload the page.',
  'invalid-cursor': 'The list moved on since it was loaded. Reload the page.',
  'body-too-large': 'That is too much text to save at once.',
  'unsupported-media-type': 'The dashboard sent a request the server could not read. Reload the page.',
  'rate-limited': 'Too many requests. Wait a moment and try again.',
  'internal-error': 'Something went wrong on the server. Try again; if it keeps happening, tell the operator.',
  // Produced in the browser
  network: 'Cannot reach the server. Check your connection and try again.',
  'bad-response': 'The server answered with something the dashboard did not understand.',
}

/** The API's `invalid wallet-connect URI: <why>` in words; the same sentences the browser's own check shows. */
export function walletUriWords(serverMessage: string): string {
  const why = serverMessage.replace(/^invalid wallet-connect URI:\s*/i, '').trim()
  const words: Record<string, string> = {
    'too long': 'This wallet-connect URI is too long (at most 2048 characters).',
    'expected nostr+walletconnect://<wallet pubkey>?relay=…&secret=…':
      'A wallet-connect URI starts with nostr+walletconnect:// followed by the wallet’s 64-character public key, then ?relay=…&secret=….',
    'at least one relay is required': 'This wallet-connect URI names no relay (relay=wss://…).',
    'relay must be a ws:// or wss:// URL': 'The relay in this wallet-connect URI must be a wss:// (or ws://) address.',
    'secret must be 64 hex characters': 'The secret in this wallet-connect URI must be 64 hexadecimal characters.',
  }
  return words[why] ?? (why ? `This wallet-connect URI cannot be used: ${sentence(why)}` : 'This wallet-connect URI cannot be used.')
}

/** NIP-47 error codes a wallet answers with, in words. */
export const WALLET_ERROR_WORDS: Record<string, string> = {
  INSUFFICIENT_BALANCE: 'Your wallet did not have enough sats to pay.',
  QUOTA_EXCEEDED: 'Your wallet’s spending budget for this connection is used up. Raise it in your wallet.',
  RATE_LIMITED: 'Your wallet refused for now: too many requests. It will be tried again.',
  RESTRICTED: 'This wallet connection is not allowed to pay invoices. Give it permission to pay in your wallet.',
  UNAUTHORIZED: 'Your wallet does not recognise this connection any more. Connect the wallet again.',
  NOT_IMPLEMENTED: 'Your wallet cannot pay invoices over Nostr Wallet Connect.',
  UNSUPPORTED_ENCRYPTION: 'Your wallet does not support the encryption Caravel uses.',
  PAYMENT_FAILED: 'Your wallet tried to pay but the payment failed (no route, or the invoice expired).',
  INTERNAL: 'Your wallet had an internal error. It will be tried again.',
  NOT_FOUND: 'Your wallet could not find the invoice.',
  OTHER: 'Your wallet refused the payment.',
}

/** The last auto-pay error (`CODE: wallet message`) in words, keeping the wallet's own message as detail. */
export function walletErrorText(nwcError: string): { words: string; detail: string } {
  const m = /^([A-Z_]+):\s*(.*)$/s.exec(nwcError.trim())
  if (!m) return { words: 'Your wallet refused the payment.', detail: nwcError.trim() }
  return { words: WALLET_ERROR_WORDS[m[1]!] ?? WALLET_ERROR_WORDS.OTHER!, detail: m[2]!.trim() }
}

/** Words for an API error code; unknown codes fall back to the server's message. */
export function describeError(code: string, serverMessage = ''): string {
  const entry = ERROR_MESSAGES[code]
  if (typeof entry === 'string') return entry
  if (entry) return entry(serverMessage)
  return sentence(serverMessage) || `Something went wrong (${code}).`
}

/** An API failure: `status` and stable `code` for the program, `message` in words for people. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly serverMessage: string,
  ) {
    super(describeError(code, serverMessage))
  }
}

/** Words for anything thrown: API errors by code, signer errors by their own message. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.message
  if (err instanceof Error) return sentence(err.message) || 'Something went wrong.'
  return typeof err === 'string' ? sentence(err) : 'Something went wrong.'
}
