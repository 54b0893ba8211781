// The engine's single HTTP server: dispatch by Host (engine.md §2.1) to the management API or a relay's
// HTTP surface (§2.2) and WebSocket (§5).
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import { Connection } from './connection.js'
import type { Engine } from './engine.js'
import { CORS_HEADERS, sendJson, sendText, splitTarget } from './http.js'
import { handleManagementApi } from './management-api.js'
import { LIMITS } from './nip01.js'
import { relayInformation } from './nip11.js'
import { handleNip86, NIP86_CONTENT_TYPE } from './nip86.js'
import { stripPort } from './relay-config.js'
import type { VirtualRelay } from './relay.js'

export interface ServerOptions {
  /** Its `apiHost` (lower-cased) serves the API, mounted only when it and the whitelist are non-empty. */
  engine: Engine
  whitelist: ReadonlySet<string>
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

function handleRelayHttp(relay: VirtualRelay, req: IncomingMessage, res: ServerResponse): Promise<void> | void {
  const { path } = splitTarget(req.url)
  const method = req.method ?? 'GET'
  if (method === 'OPTIONS') {
    res.writeHead(204, CORS_HEADERS)
    return void res.end()
  }
  if (path === '/' && (method === 'GET' || method === 'HEAD')) {
    if ((req.headers.accept ?? '').includes('application/nostr+json')) {
      const text = JSON.stringify(relayInformation(relay))
      res.writeHead(200, { ...CORS_HEADERS, 'Content-Type': 'application/nostr+json', 'Content-Length': Buffer.byteLength(text) })
      return void res.end(method === 'HEAD' ? undefined : text)
    }
    const name = escapeHtml(relay.config.info.name || relay.config.host)
    const html = `<!doctype html><html><head><meta charset="utf-8"><title>${name}</title></head><body><h1>${name}</h1><p>A Nostr relay. Connect with a Nostr client.</p></body></html>`
    res.writeHead(200, { ...CORS_HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html) })
    return void res.end(method === 'HEAD' ? undefined : html)
  }
  if (path === '/' && method === 'POST' && (req.headers['content-type'] ?? '').startsWith(NIP86_CONTENT_TYPE)) {
    return handleNip86(relay, req, res)
  }
  sendText(res, 404, '404 Not Found', CORS_HEADERS)
}

export function createEngineServer({ engine, whitelist }: ServerOptions): http.Server {
  const isApiHost = (host: string) =>
    engine.apiHost !== '' && whitelist.size > 0 && (host === engine.apiHost || stripPort(host) === engine.apiHost)
  const wss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.max_message_length })

  const server = http.createServer((req, res) => {
    const host = (req.headers.host ?? '').toLowerCase()
    const done = (p: Promise<void> | void) =>
      Promise.resolve(p).catch((err: unknown) => {
        engine.log.error({ err }, 'request failed')
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error' })
        else res.destroy()
      })
    if (isApiHost(host)) return void done(handleManagementApi(engine, whitelist, req, res))
    const relay = engine.relayForHost(host)
    if (!relay) return sendText(res, 404, '404 Not Found')
    done(handleRelayHttp(relay, req, res))
  })

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    const host = (req.headers.host ?? '').toLowerCase()
    const relay = isApiHost(host) ? undefined : engine.relayForHost(host)
    if (!relay) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nConnection: close\r\n\r\n404 Not Found')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      // The relay may have been unloaded while the handshake completed.
      if (relay.closed) return ws.close(1001, 'relay unavailable')
      // A connection keeps its relay's store open (the pool never closes it under live sockets).
      try {
        relay.ensureOpen()
      } catch (err) {
        engine.log.error({ err, relay: relay.id }, 'opening the relay store failed')
        return ws.close(1011, 'error: relay storage unavailable')
      }
      new Connection(ws, relay)
    })
  })

  server.on('close', () => wss.close())
  return server
}
