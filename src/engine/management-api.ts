// zooid's management HTTP API (engine.md §4): NIP-98 from whitelisted pubkeys, checks in the spec's order,
// routes POST/PUT/PATCH/DELETE /relay/{id} and GET /relay/{id}/members; and Caravel's extensions
// (docs/engine.md): GET /relay/{id}/export, POST /relay/{id}/import, GET /relay/{id}/stats, the invite routes
// of invites-api.ts and GET /relay/{id}/members?detail=true.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { checkNip98Claims, checkNip98Payload, decodeNip98Header, Nip98Error } from '../nostr/nip98.js'
import { ApiError, type Engine } from './engine.js'
import { readBody, requestScheme, sendJson, splitTarget } from './http.js'
import { answerInvites, invitesRoute, type InvitesRoute } from './invites-api.js'
import { nowSeconds } from './relay.js'
import { bodyLines, writeLines } from './transfer.js'

type Route =
  | { kind: 'relay'; id: string; method: 'POST' | 'PUT' | 'PATCH' | 'DELETE' }
  | { kind: 'members' | 'export' | 'import' | 'stats'; id: string }
  | InvitesRoute

/** The method each sub-resource of /relay/{id} answers. */
const SUB_RESOURCES = { members: 'GET', export: 'GET', import: 'POST', stats: 'GET' } as const

/** Step 7: resolves the route or throws the routing error. */
export function route(method: string, path: string): Route {
  if (path === '/relay' || path === '/relay/') throw new ApiError(400, 'relay id is required')
  const invites = invitesRoute(method, path)
  if (invites) return invites
  const m = /^\/relay\/([^/]+)(?:\/(members|export|import|stats))?$/.exec(path)
  if (!m) throw new ApiError(404, 'not found')
  const id = m[1]!
  const sub = m[2] as keyof typeof SUB_RESOURCES | undefined
  if (sub) {
    if (method !== SUB_RESOURCES[sub]) throw new ApiError(405, 'method not allowed')
    return { kind: sub, id }
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

/** An integer query parameter within [min, max], `fallback` when absent; else 400 with `message`. */
function intParam(query: URLSearchParams, name: string, range: { min: number; max: number; fallback: number }, message: string): number {
  const raw = query.get(name)
  if (raw === null) return range.fallback
  const n = /^\d{1,16}$/.test(raw) ? Number(raw) : NaN
  if (!(n >= range.min && n <= range.max)) throw new ApiError(400, message)
  return n
}

/** GET /relay/{id}/export: JSONL streamed from a snapshot, `X-Event-Count` lines. */
async function sendExport(engine: Engine, id: string, res: ServerResponse): Promise<void> {
  await engine.streamExport(id, async (cursor) => {
    res.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'X-Event-Count': String(cursor.count) })
    const { complete } = await writeLines(cursor.lines, res)
    if (complete) res.end()
  })
}

/** GET members, export and stats, POST import. */
async function answerSubResource(
  engine: Engine,
  target: Exclude<Route, { kind: 'relay' | 'invites' }>,
  query: URLSearchParams,
  body: Buffer,
  res: ServerResponse,
): Promise<void> {
  switch (target.kind) {
    case 'members':
      // Caravel: ?detail=true adds how and when each member joined.
      return sendJson(res, 200, { members: query.get('detail') === 'true' ? engine.listMemberDetails(target.id) : engine.listMembers(target.id) })
    case 'export':
      return sendExport(engine, target.id, res)
    case 'import': {
      const firstLine = intParam(query, 'first_line', { min: 1, max: Number.MAX_SAFE_INTEGER, fallback: 1 }, 'first_line must be an integer ≥ 1')
      engine.assertExists(target.id)
      return sendJson(res, 200, await engine.importRelay(target.id, bodyLines(body), { firstLine }))
    }
    case 'stats': {
      const days = intParam(query, 'days', { min: 1, max: 366, fallback: 30 }, 'days must be an integer from 1 to 366')
      return sendJson(res, 200, engine.relayStats(target.id, days))
    }
  }
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
    const query = new URLSearchParams(splitTarget(req.url).query ?? '')
    if (target.kind === 'invites') return answerInvites(engine, target, () => (body.length === 0 ? {} : parseJson(body)), res)
    if (target.kind !== 'relay') return await answerSubResource(engine, target, query, body, res)
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
        engine.deleteRelay(target.id, query.get('purge') === 'true')
        return sendJson(res, 200, { message: 'relay deleted successfully' })
      }
    }
  } catch (err) {
    if (err instanceof ApiError) return sendJson(res, err.status, { error: err.message })
    engine.log.error({ err, path: splitTarget(req.url).path, method }, 'management API request failed')
    if (!res.headersSent) sendJson(res, 500, { error: 'internal error' })
    // An export that fails part-way must not look complete: the response ends without its last chunk.
    else res.destroy()
  }
}
