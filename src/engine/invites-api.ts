// Caravel's managed-invite routes of the management API (docs/engine.md, Caravel extensions):
// GET/POST /relay/{id}/invites and DELETE /relay/{id}/invites/{code}. The management API runs its NIP-98,
// whitelist and body checks before these answer.
import type { ServerResponse } from 'node:http'
import { ApiError, type Engine } from './engine.js'
import { sendJson } from './http.js'

export interface InvitesRoute {
  kind: 'invites'
  id: string
  method: 'GET' | 'POST' | 'DELETE'
  /** The invite of DELETE /relay/{id}/invites/{code}. */
  code?: string
}

/** Step 7 for the invite paths: the route, undefined for any other path, or the routing error. */
export function invitesRoute(method: string, path: string): InvitesRoute | undefined {
  const m = /^\/relay\/([^/]+)\/invites(?:\/([^/]+))?$/.exec(path)
  if (!m) return undefined
  const [, id, code] = m as unknown as [string, string, string | undefined]
  if (code !== undefined) {
    if (method !== 'DELETE') throw new ApiError(405, 'method not allowed')
    return { kind: 'invites', id, method, code }
  }
  if (method !== 'GET' && method !== 'POST') throw new ApiError(405, 'method not allowed')
  return { kind: 'invites', id, method }
}

/** Step 10: `json()` decodes the body (an empty body is `{}`). */
export function answerInvites(engine: Engine, target: InvitesRoute, json: () => unknown, res: ServerResponse): void {
  if (target.method === 'GET') return sendJson(res, 200, { invites: engine.listInvites(target.id) })
  if (target.method === 'POST') {
    engine.assertExists(target.id)
    return sendJson(res, 201, engine.createInvite(target.id, json()))
  }
  return sendJson(res, 200, engine.revokeInvite(target.id, target.code ?? ''))
}
