// zooid's management HTTP API (engine.md §4): NIP-98 from whitelisted pubkeys, checks in the spec's order,
// routes POST/PUT/PATCH/DELETE /relay/{id} and GET /relay/{id}/members.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { checkNip98Claims, checkNip98Payload, decodeNip98Header, Nip98Error } from '../nostr/nip98.js'
import { ApiError, type Engine } from './engine.js'
import { readBody, requestScheme, sendJson, splitTarget } from './http.js'
import { nowSeconds } from './relay.js'

type Route =
  | { kind: 'relay'; id: string; method: 'POST' | 'PUT' | 'PATCH' | 'DELETE' }
  | { kind: 'members'; id: string }

/** Step 7: resolves the route or throws the routing error. */
export function route(method: string, path: string): Route {
  if (path === '/relay' || path === '/relay/') throw new ApiError(400, 'relay id is required')
  const m = /^\/relay\/([^/]+)(\/members)?$/.exec(path)
  if (!m) throw new ApiError(404, 'not found')
  const id = m[1]!
  if (m[2]) {
    if (method !== 'GET') throw new ApiError(405, 'method not allowed')
    return { kind: 'members', id }
  }
  if (method === 'POST' || method === 'PUT' || method === 'PATCH' || method === 'DELETE') return { kind: 'relay', id, method }
  throw new ApiError(405, 'method not allowed')
}

/** §4 check 3: `u` is scheme://Host/path, optionally with the identical raw query. */
export function apiUrlMatcher(req: IncomingMessage): (u: string) => boolean {
  const { path, query } = splitTarget(req.url)
  const expected = `${requestScheme(req)}://${req.headers.host ?? ''}${path}`
  return (u) => u === expected || (query !== undefined && u === `${expected}?${query}`)
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'))
  } catch (err) {
    throw new ApiError(400, `invalid json: ${(err as Error).message}`)
  }
}

export async function handleManagementApi(
  engine: Engine,
  whitelist: ReadonlySet<string>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase()
  try {
    // 1–5: NIP-98 token
    let signer: string
    let token
    try {
      token = decodeNip98Header(req.headers.authorization)
      checkNip98Claims(token, { urlMatches: apiUrlMatcher(req), method, now: nowSeconds(), window: 60 })
      signer = token.pubkey
    } catch (err) {
      if (err instanceof Nip98Error) return sendJson(res, 401, { error: err.message })
      throw err
    }
    // 6
    if (!whitelist.has(signer)) return sendJson(res, 403, { error: 'pubkey not in whitelist' })
    // 7
    const target = route(method, splitTarget(req.url).path)
    // 8
    const body = await readBody(req)
    if (body === undefined) return sendJson(res, 413, { error: 'request body too large' })
    // 9
    try {
      checkNip98Payload(token, body)
    } catch (err) {
      if (err instanceof Nip98Error) return sendJson(res, 401, { error: err.message })
      throw err
    }
    // 10
    if (target.kind === 'members') return sendJson(res, 200, { members: engine.listMembers(target.id) })
    switch (target.method) {
      case 'POST':
        engine.assertCreatable(target.id)
        engine.createRelay(target.id, parseJson(body))
        return sendJson(res, 201, { message: 'relay created successfully' })
      case 'PUT':
        engine.assertExists(target.id)
        engine.replaceRelay(target.id, parseJson(body))
        return sendJson(res, 200, { message: 'relay updated successfully' })
      case 'PATCH':
        engine.assertExists(target.id)
        engine.patchRelay(target.id, parseJson(body))
        return sendJson(res, 200, { message: 'relay patched successfully' })
      case 'DELETE': {
        const query = new URLSearchParams(splitTarget(req.url).query ?? '')
        engine.deleteRelay(target.id, query.get('purge') === 'true')
        return sendJson(res, 200, { message: 'relay deleted successfully' })
      }
    }
  } catch (err) {
    if (err instanceof ApiError) return sendJson(res, err.status, { error: err.message })
    engine.log.error({ err, path: splitTarget(req.url).path, method }, 'management API request failed')
    if (!res.headersSent) sendJson(res, 500, { error: 'internal error' })
  }
}
