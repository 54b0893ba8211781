// An HTTP proxy in front of the engine that can misbehave on purpose: refuse connections, stall past the
// client's timeout, answer 500, or cut the connection halfway through the engine's answer. It records every
// request it sees (method, path, body) so tests can check what the platform sent.
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export type FaultMode = 'pass' | 'refuse' | 'stall' | 'error500' | 'cut'

export interface SeenRequest {
  method: string
  path: string
  body: string
  /** The engine's answer, once passed through. */
  status?: number
}

export class FaultProxy {
  private current: FaultMode = 'pass'
  readonly seen: SeenRequest[] = []
  private server!: http.Server
  private readonly sockets = new Set<Socket>()
  port = 0

  constructor(private readonly targetPort: number) {}

  get mode(): FaultMode {
    return this.current
  }

  /** Switching to `refuse` also drops kept-alive connections, which a client would otherwise reuse. */
  set mode(mode: FaultMode) {
    this.current = mode
    if (mode === 'refuse') for (const s of this.sockets) s.destroy()
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => this.handle(req, res))
    this.server.on('connection', (socket) => {
      if (this.mode === 'refuse') {
        socket.destroy()
        return
      }
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
    })
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.port = (this.server.address() as AddressInfo).port
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const seen: SeenRequest = { method: req.method ?? '', path: req.url ?? '', body: body.toString('utf8') }
      this.seen.push(seen)
      if (this.mode === 'stall') return // never answers; the client's timeout must fire
      if (this.mode === 'error500') {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('upstream exploded')
        return
      }
      // Forward with the Host header untouched: the engine checks the NIP-98 `u` against it.
      const upstream = http.request(
        { host: '127.0.0.1', port: this.targetPort, method: req.method, path: req.url, headers: req.headers, agent: false },
        (up) => {
          const parts: Buffer[] = []
          up.on('data', (c: Buffer) => parts.push(c))
          up.on('end', () => {
            const answer = Buffer.concat(parts)
            seen.status = up.statusCode
            if (this.mode === 'cut') {
              // Headers promise the whole body; half of it arrives, then the connection dies.
              res.writeHead(up.statusCode ?? 502, { 'content-type': 'application/json', 'content-length': String(answer.length + 10) })
              res.write(answer.subarray(0, Math.floor(answer.length / 2)))
              setTimeout(() => res.socket?.destroy(), 5)
              return
            }
            res.writeHead(up.statusCode ?? 502, up.headers).end(answer)
          })
        },
      )
      upstream.on('error', () => res.writeHead(502).end())
      upstream.end(body)
    })
  }
}
