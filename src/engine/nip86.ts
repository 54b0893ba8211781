// NIP-86 relay management over JSON-RPC-like HTTP, authorised by NIP-98 from relay admins (engine.md §5.7).
import type { IncomingMessage, ServerResponse } from 'node:http'
import { checkNip98Claims, checkNip98Payload, decodeNip98Header, Nip98Error, tagValue } from '../nostr/nip98.js'
import { MAX_BODY_BYTES, readBody, sendJson, CORS_HEADERS } from './http.js'
import { RELAY_FULL } from './nip43.js'
import { isHex64, stripPort } from './relay-config.js'
import { nowSeconds, type VirtualRelay } from './relay.js'

export const NIP86_CONTENT_TYPE = 'application/nostr+json+rpc'

class RpcError extends Error {}

type Method = (relay: VirtualRelay, params: unknown[]) => unknown

const pubkeyParam = (params: unknown[]): string => {
  const pk = params[0]
  if (!isHex64(pk)) throw new RpcError('invalid params: expected a 64-character lower-case hex pubkey')
  return pk
}

const idParam = (params: unknown[]): string => {
  const id = params[0]
  if (!isHex64(id)) throw new RpcError('invalid params: expected a 64-character lower-case hex event id')
  return id
}

const reasonParam = (params: unknown[]): string => (typeof params[1] === 'string' ? params[1] : '')

const stringParam = (params: unknown[]): string => {
  if (typeof params[0] !== 'string') throw new RpcError('invalid params: expected a string')
  return params[0]
}

/** Most entries in one page of a list method. */
export const MAX_PAGE = 1000

/**
 * The list methods' optional `[limit, after]` (a Caravel extension): entries sorted by key ascending, at most
 * `limit` (1..1000) of those after the key `after` (the last one of the previous page). No params: all of them.
 */
function page<T>(entries: Iterable<[string, T]>, params: unknown[]): [string, T][] {
  const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  if (params.length === 0) return sorted
  const [limit, after] = params
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new RpcError(`invalid params: limit must be an integer from 1 to ${MAX_PAGE}`)
  }
  if (after !== undefined && after !== null && !isHex64(after)) {
    throw new RpcError('invalid params: after must be a 64-character lower-case hex pubkey or event id')
  }
  let start = 0
  if (typeof after === 'string') {
    let hi = sorted.length
    while (start < hi) {
      const mid = (start + hi) >>> 1
      if (sorted[mid]![0] <= after) start = mid + 1
      else hi = mid
    }
  }
  return sorted.slice(start, start + limit)
}

function notConfigured(relay: VirtualRelay, pk: string): void {
  if (relay.isConfigured(pk)) throw new RpcError('restricted: pubkey is a configured member')
}

export const methods: Record<string, Method> = {
  supportedmethods: () => Object.keys(methods),
  banpubkey: (relay, params) => {
    const pk = pubkeyParam(params)
    notConfigured(relay, pk)
    relay.banPubkey(pk, reasonParam(params))
    return true
  },
  unbanpubkey: (relay, params) => {
    relay.unbanPubkey(pubkeyParam(params))
    return true
  },
  allowpubkey: (relay, params) => {
    const pk = pubkeyParam(params)
    if (relay.isFullFor(pk)) throw new RpcError(RELAY_FULL)
    relay.addMembers([pk])
    return true
  },
  unallowpubkey: (relay, params) => {
    const pk = pubkeyParam(params)
    notConfigured(relay, pk)
    relay.removeMember(pk)
    return true
  },
  listbannedpubkeys: (relay, params) => page(relay.bannedPubkeys, params).map(([pubkey, reason]) => ({ pubkey, reason })),
  listallowedpubkeys: (relay, params) =>
    page([...relay.members].map((pk): [string, string] => [pk, 'relay member']), params).map(([pubkey, reason]) => ({ pubkey, reason })),
  banevent: (relay, params) => {
    relay.banEvent(idParam(params), reasonParam(params))
    return true
  },
  allowevent: (relay, params) => {
    relay.allowEvent(idParam(params))
    return true
  },
  listbannedevents: (relay, params) => page(relay.bannedEvents, params).map(([id, reason]) => ({ id, reason })),
  changerelayname: (relay, params) => {
    relay.changeInfo('name', stringParam(params))
    return true
  },
  changerelaydescription: (relay, params) => {
    relay.changeInfo('description', stringParam(params))
    return true
  },
  changerelayicon: (relay, params) => {
    relay.changeInfo('icon', stringParam(params))
    return true
  },
}

/** `u` must name the relay's base URL: its host (port ignored), path empty or `/`, any of four schemes. */
export function relayUrlMatches(u: string, relayHost: string): boolean {
  let url: URL
  try {
    url = new URL(u)
  } catch {
    return false
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) return false
  if (url.hostname.toLowerCase() !== stripPort(relayHost)) return false
  return url.pathname === '/' || url.pathname === ''
}

export async function handleNip86(relay: VirtualRelay, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const reply = (status: number, body: Record<string, unknown>) => sendJson(res, status, body, CORS_HEADERS)
  if (!relay.config.management.enabled) return reply(404, { result: null, error: 'management is not enabled' })
  let pubkey: string
  let body: Buffer | undefined
  try {
    const event = decodeNip98Header(req.headers.authorization)
    checkNip98Claims(event, {
      urlMatches: (u) => relayUrlMatches(u, relay.config.host),
      method: 'POST',
      now: nowSeconds(),
      window: 60,
    })
    body = await readBody(req, MAX_BODY_BYTES)
    if (body === undefined) return reply(413, { result: null, error: 'request body too large' })
    if (tagValue(event, 'payload') === undefined) throw new Nip98Error('payload-missing', 'event missing or invalid payload tag')
    checkNip98Payload(event, body)
    pubkey = event.pubkey
  } catch (err) {
    if (err instanceof Nip98Error) return reply(401, { result: null, error: err.message })
    throw err
  }
  if (!relay.isAdmin(pubkey)) return reply(200, { result: null, error: 'blocked: only relay admins can manage this relay.' })
  let request: unknown
  try {
    request = JSON.parse(body.toString('utf8'))
  } catch {
    return reply(200, { result: null, error: 'invalid params: body is not valid JSON' })
  }
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    return reply(200, { result: null, error: 'invalid params: body must be a JSON object' })
  }
  const name = (request as { method?: unknown }).method
  const params = (request as { params?: unknown }).params ?? []
  if (typeof name !== 'string') return reply(200, { result: null, error: 'invalid params: method is required' })
  const method = Object.hasOwn(methods, name) ? methods[name] : undefined
  if (!method) return reply(200, { result: null, error: `unsupported method: ${name}` })
  if (!Array.isArray(params)) return reply(200, { result: null, error: 'invalid params: params must be an array' })
  try {
    return reply(200, { result: method(relay, params) })
  } catch (err) {
    if (err instanceof RpcError) return reply(200, { result: null, error: err.message })
    throw err
  }
}
