// The relay engine's public entry point: start it in-process (embedded in `caravel serve`) or standalone
// (`caravel engine`). The platform reaches a running engine only through its management HTTP API.
import type { AddressInfo } from 'node:net'
import { createLogger, type Logger } from '../log.js'
import { initVerifier } from '../nostr/verify.js'
import { parseApiHost, parseWhitelist, readMaxOpenRelays } from './config.js'
import { Engine } from './engine.js'
import { EXPIRATION_SWEEP_MS } from './nip40.js'
import { nowSeconds } from './relay.js'
import { createEngineServer } from './server.js'
import type { ImportSummary } from './transfer.js'

export interface EngineOptions {
  /** Listen port; 0 picks an ephemeral one (see `EngineHandle.port`). */
  port: number
  /** Listen address; default all interfaces. */
  listenHost?: string
  /**
   * Host serving the management API (`host[:port]`); the API is mounted only with a non-empty whitelist too.
   * A `:0` port with `port: 0` becomes the bound port (see `EngineHandle.apiHost`).
   */
  apiHost?: string
  /** 64-hex pubkeys allowed to call the management API. */
  apiWhitelist?: string[]
  /** Catalog and per-relay databases. */
  dataDir: string
  /**
   * Most relay databases kept open (3 file descriptors each); least recently used idle ones are closed beyond
   * it. Default: ENGINE_MAX_OPEN_RELAYS, else derived from the open-files limit.
   */
  maxOpenRelays?: number
  logger?: Logger
}

export interface EngineHandle {
  /** The bound port. */
  port: number
  /** The API host in effect ('' when the API is off). */
  apiHost: string
  /** Closes sockets (1001), commits pending writes, closes databases. */
  close(): Promise<void>
  /** Writes one relay's events as JSONL lines (created_at asc, then id); returns the line count. */
  exportRelay(id: string, writeLine: (line: string) => void): number
  /** Imports JSONL lines into one relay (verified; gates bypassed; config untouched). */
  importRelay(id: string, lines: AsyncIterable<string> | Iterable<string>, options?: { reset?: boolean }): Promise<ImportSummary>
  /** Removes all of one relay's events (a running relay keeps only its configured members). */
  purgeRelay(id: string): void
  /** Relay databases open now (read-only; at most `maxOpenRelays` unless every open one is in use). */
  readonly openRelayStores: number
  /** The maximum of open relay databases in effect. */
  readonly maxOpenRelays: number
}

export async function startEngine(options: EngineOptions): Promise<EngineHandle> {
  await initVerifier()
  const log = options.logger ?? createLogger()
  let apiHost = parseApiHost(options.apiHost ?? '', 'apiHost')
  const whitelist = new Set(parseWhitelist((options.apiWhitelist ?? []).join(','), 'apiWhitelist'))
  const maxOpenRelays = options.maxOpenRelays ?? readMaxOpenRelays(process.env)
  const engine = new Engine(options.dataDir, apiHost, log, { maxOpenRelays })
  try {
    engine.loadAll()
  } catch (err) {
    engine.close()
    throw err
  }
  const server = createEngineServer({ engine, whitelist })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.listenHost, () => {
      server.off('error', reject)
      resolve()
    })
  }).catch((err: unknown) => {
    engine.close()
    throw err
  })
  server.on('error', (err) => log.error({ err }, 'engine server error'))
  const sweep = setInterval(() => engine.sweepExpired(nowSeconds()), EXPIRATION_SWEEP_MS)
  sweep.unref()
  const port = (server.address() as AddressInfo).port
  if (apiHost.endsWith(':0')) {
    apiHost = `${apiHost.slice(0, -2)}:${port}`
    engine.apiHost = apiHost
  }
  if (apiHost !== '' && whitelist.size === 0) log.warn('management API host set but the whitelist is empty: API not mounted')
  log.info(
    { port, apiHost: apiHost || null, apiEnabled: apiHost !== '' && whitelist.size > 0, dataDir: options.dataDir, maxOpenRelays },
    'relay engine started',
  )

  let closing: Promise<void> | undefined
  return {
    port,
    apiHost,
    close() {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(sweep)
        engine.close()
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closing
    },
    exportRelay: (id, writeLine) => engine.exportRelay(id, writeLine),
    importRelay: (id, lines, opts) => engine.importRelay(id, lines, opts),
    purgeRelay: (id) => engine.purgeRelay(id),
    get openRelayStores() {
      return engine.openStores
    },
    maxOpenRelays,
  }
}

export { ENGINE_VARIABLES, readEngineConfig, type EngineConfig, type EngineVariable } from './config.js'
export type { ImportSummary } from './transfer.js'
