// NIP-98 HTTP auth, shared by the platform API and the engine's management API. Each side decides how a
// request's URL must match and maps failures to its own wire format (codes for the API, zooid's messages
// for the engine).
import { createHash, randomBytes } from 'node:crypto'
import { validateEvent, type EventTemplate, type NostrEvent } from 'nostr-tools/pure'
import { verifyFreshEvent } from './verify.js'

export const NIP98_KIND = 27235
export const EMPTY_PAYLOAD_HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
export const MAX_AUTH_HEADER_BYTES = 8192

export type Nip98Reason =
  | 'missing'
  | 'malformed'
  | 'kind'
  | 'signature'
  | 'url'
  | 'method'
  | 'expired'
  | 'payload-missing'
  | 'payload'
  | 'replay'

export class Nip98Error extends Error {
  constructor(
    readonly reason: Nip98Reason,
    message: string,
  ) {
    super(message)
  }
}

export function tagValue(event: NostrEvent, name: string): string | undefined {
  const tag = event.tags.find((t) => t[0] === name)
  return tag?.[1]
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** A token read from its header: the JSON as sent and this thread's fresh parse of it (not yet verified). */
interface UnverifiedToken {
  json: string
  parsed: object
  kind: unknown
}

/** Format, base64, JSON and kind: every check that comes before the signature. */
function readNip98Header(header: string | undefined | null): UnverifiedToken {
  if (!header) throw new Nip98Error('missing', 'missing authorization header')
  if (header.length > MAX_AUTH_HEADER_BYTES) throw new Nip98Error('malformed', 'authorization header too large')
  const match = /^nostr\s+(\S+)\s*$/i.exec(header)
  if (!match) throw new Nip98Error('malformed', 'invalid authorization header format')
  const b64 = match[1]!
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) {
    throw new Nip98Error('malformed', 'invalid base64 encoding: illegal base64 data')
  }
  const json = Buffer.from(b64, 'base64').toString('utf8')
  let parsed: unknown
  try {
    parsed = JSON.parse(json)
  } catch (err) {
    throw new Nip98Error('malformed', `invalid event json: ${(err as Error).message}`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Nip98Error('malformed', 'invalid event json: not an object')
  }
  const kind = (parsed as { kind?: unknown }).kind
  if (typeof kind === 'number' && kind !== NIP98_KIND) {
    throw new Nip98Error('kind', `invalid event kind: expected ${NIP98_KIND}, got ${kind}`)
  }
  return { json, parsed, kind }
}

function verificationFailure(token: UnverifiedToken): Nip98Error {
  if (typeof token.kind !== 'number') return new Nip98Error('malformed', 'invalid event json: missing kind')
  return new Nip98Error('signature', 'invalid event signature')
}

/** Decodes `Authorization: Nostr <base64>` into a freshly parsed event and checks kind and signature. */
export function decodeNip98Header(header: string | undefined | null): NostrEvent {
  const token = readNip98Header(header)
  if (!verifyFreshEvent(token.parsed)) throw verificationFailure(token)
  return token.parsed
}

/**
 * Like `decodeNip98Header`, with the signature checked by `verify` on the token's JSON elsewhere (a worker
 * thread parses the same bytes afresh and runs `verifyFreshEvent`). The shape is checked here too, so the
 * event this thread goes on with is the one that was verified.
 */
export async function decodeNip98HeaderWith(header: string | undefined | null, verify: (json: string) => Promise<boolean>): Promise<NostrEvent> {
  const token = readNip98Header(header)
  if (!validateEvent(token.parsed) || !(await verify(token.json))) throw verificationFailure(token)
  return token.parsed as NostrEvent
}

export interface Nip98Expectations {
  /** Whether the token's `u` tag names this request. */
  urlMatches: (u: string) => boolean
  method: string
  now: number
  /** Allowed clock skew in seconds (NIP-98 suggests 60). */
  window?: number
}

/** Checks `u`, `method` and `created_at` of a decoded token. */
export function checkNip98Claims(event: NostrEvent, expect: Nip98Expectations): void {
  const u = tagValue(event, 'u')
  if (!u || !expect.urlMatches(u)) throw new Nip98Error('url', 'event missing or invalid u tag')
  const method = tagValue(event, 'method')
  if (!method || method.toUpperCase() !== expect.method.toUpperCase()) {
    throw new Nip98Error('method', 'event missing or invalid method tag')
  }
  const window = expect.window ?? 60
  if (Math.abs(expect.now - event.created_at) > window) {
    throw new Nip98Error('expired', 'event created_at out of range')
  }
}

/** Checks the `payload` tag against the raw body bytes as received (never a re-serialisation). */
export function checkNip98Payload(event: NostrEvent, body: Uint8Array | undefined): void {
  const payload = tagValue(event, 'payload')
  if (body && body.length > 0) {
    if (!payload) throw new Nip98Error('payload-missing', 'event missing or invalid payload tag')
    if (payload.toLowerCase() !== sha256Hex(body)) throw new Nip98Error('payload', 'payload hash mismatch')
  } else if (payload !== undefined && payload.toLowerCase() !== EMPTY_PAYLOAD_HASH) {
    throw new Nip98Error('payload', 'payload hash mismatch')
  }
}

export interface Nip98TokenRequest {
  url: string
  method: string
  /** The exact bytes or string that will be sent as the body. */
  body?: Uint8Array | string
  createdAt?: number
}

/** Builds a fresh `Authorization` header value; a retry must call this again (tokens are single-use). */
export function nip98Header(sign: (template: EventTemplate) => NostrEvent, req: Nip98TokenRequest): string {
  // A random nonce keeps two identical requests in the same second from producing the same event id,
  // which a server's replay cache would rightly refuse.
  const tags = [
    ['u', req.url],
    ['method', req.method.toUpperCase()],
    ['nonce', randomBytes(8).toString('hex')],
  ]
  if (req.body !== undefined && req.body.length > 0) tags.push(['payload', sha256Hex(req.body)])
  const event = sign({ kind: NIP98_KIND, created_at: req.createdAt ?? Math.floor(Date.now() / 1000), tags, content: '' })
  return `Nostr ${Buffer.from(JSON.stringify(event)).toString('base64')}`
}
