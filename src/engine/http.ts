// Small HTTP helpers shared by the relay surface and the management API.
import type { IncomingMessage, ServerResponse } from 'node:http'

export const MAX_BODY_BYTES = 1_048_576

export const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type, Accept',
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) })
  res.end(text)
}

export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) })
  res.end(text)
}

/** Reads the raw body; resolves undefined when it exceeds `limit` bytes (the caller answers 413). */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) {
    req.resume()
    return Promise.resolve(undefined)
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let tooLarge = false
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return
      size += chunk.length
      if (size > limit) {
        tooLarge = true
        chunks.length = 0
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

/** Path and raw query of a request target, exactly as received. */
export function splitTarget(url: string | undefined): { path: string; query: string | undefined } {
  const target = url ?? '/'
  const q = target.indexOf('?')
  return q < 0 ? { path: target, query: undefined } : { path: target.slice(0, q), query: target.slice(q + 1) }
}

/** `https` when the connection is TLS or a proxy says so, else `http`. */
export function requestScheme(req: IncomingMessage): 'http' | 'https' {
  const forwarded = req.headers['x-forwarded-proto']
  const proto = Array.isArray(forwarded) ? forwarded[0] : forwarded
  if ((req.socket as { encrypted?: boolean }).encrypted || proto?.split(',')[0]?.trim().toLowerCase() === 'https') return 'https'
  return 'http'
}
