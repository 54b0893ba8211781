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
  'invalid-url': (m) => sentence(m) || 'Enter a web address starting with http:// or https://.',
  'invalid-pubkey': 'Enter a public key as npub1… or 64 hexadecimal characters.',
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
