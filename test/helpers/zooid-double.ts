// A stand-in for an external zooid server: it checks NIP-98 the way zooid does (header format, kind and
// signature, `u` = scheme://Host/path, `method`, whitelist — not time or payload) and stores configs. An older
// zooid without `/members` answers 404 there.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { decodeNip98Header, Nip98Error, tagValue } from '../../src/nostr/nip98.js'

export class ZooidDouble {
  readonly relays = new Map<string, Record<string, unknown>>()
  readonly requests: { method: string; path: string; body: string }[] = []
  private server!: http.Server
  port = 0

  constructor(private readonly whitelist: string[]) {}

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8')
        this.requests.push({ method: req.method!, path: req.url!, body })
        const send = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value))
        let event
        try {
          event = decodeNip98Header(req.headers.authorization)
        } catch (err) {
          return send(401, { error: (err as Nip98Error).message })
        }
        const path = req.url!.split('?')[0]
        if (tagValue(event, 'u') !== `http://${req.headers.host}${path}`) return send(401, { error: 'event missing or invalid u tag' })
        if (tagValue(event, 'method')?.toUpperCase() !== req.method) return send(401, { error: 'event missing or invalid method tag' })
        if (!this.whitelist.includes(event.pubkey)) return send(403, { error: 'pubkey not in whitelist' })
        const m = /^\/relay\/([^/]+)$/.exec(path!)
        if (!m) return send(404, { error: 'not found' })
        const id = m[1]!
        if (req.method === 'POST') {
          if (this.relays.has(id)) return send(409, { error: 'relay with this id already exists' })
          this.relays.set(id, JSON.parse(body))
          return send(201, { message: 'relay created successfully' })
        }
        if (req.method === 'PATCH') {
          const current = this.relays.get(id)
          if (!current) return send(404, { error: 'relay not found' })
          this.relays.set(id, { ...current, ...JSON.parse(body) })
          return send(200, { message: 'relay patched successfully' })
        }
        return send(405, { error: 'method not allowed' })
      })
    })
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.port = (this.server.address() as AddressInfo).port
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}
