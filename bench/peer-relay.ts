// The peer of the relay-engine bench (issue 3, "Speed"): `@nostr-relay/core` with `@nostr-relay/event-repository-sqlite`,
// served by `ws` on 127.0.0.1 in its own process, forked by `bench/engine.ts` (`--only peer`), so it has its own core
// like our engine. Run as `node --import tsx bench/peer-relay.ts <sqlite file> <filter cache ttl ms>`; it answers
// `{ port }` over IPC once it listens, then `rss` and `stop`.
// Wiring as in the peer's README, without `@nostr-relay/validator` (not a dependency here): frames are parsed with
// JSON.parse and handed to `handleMessage`, which still checks ids and signatures (pure-JS @noble/curves). That skips
// a zod pass per message, so it can only make the peer faster. NIP-42 is off (no `hostname`), as in its default setup.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { NostrRelay } from '@nostr-relay/core'
import { EventRepositorySqlite } from '@nostr-relay/event-repository-sqlite'
import { WebSocketServer, type WebSocket } from 'ws'
import type { NostrEvent } from 'nostr-tools/pure'

const SELF = fileURLToPath(import.meta.url)

/** The peer's tags index: one `name:value` row per single-letter tag, as its `upsert` writes them. */
function genericTags(event: NostrEvent): string[] {
  const set = new Set<string>()
  for (const [name, value] of event.tags) if (name !== undefined && /^[a-zA-Z]$/.test(name)) set.add(`${name}:${value}`)
  return [...set]
}

/** The peer's full-text row for kinds 0/1/1111/9802/30023/30024 (the bench loads kinds 1 and 7 with plain text). */
function searchable(event: NostrEvent): string {
  if (![1, 1111, 9802, 30023, 30024].includes(event.kind)) return ''
  return event.content.replace(/nostr:\S+/g, '').replace(/\s+/g, ' ').trim()
}

/**
 * A bulk loader for the peer's database: the schema comes from the peer's own migrations (`init()`), then regular
 * events are written with the rows its `upsert` would write (events, generic_tags, events_fts), many per
 * transaction. Only for regular events with no `d` tag and no delegation (the bench's bulk events).
 */
export async function openPeerLoader(file: string): Promise<{ put(events: NostrEvent[]): void; close(): Promise<void> }> {
  const repo = new EventRepositorySqlite(file)
  await repo.init()
  const db = repo.getDatabase()
  db.pragma('synchronous = OFF')
  const insertEvent = db.prepare(
    'INSERT INTO events (id, pubkey, author, created_at, kind, tags, content, sig, d_tag_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)',
  )
  const insertTag = db.prepare('INSERT INTO generic_tags (tag, event_id, author, kind, created_at) VALUES (?, ?, ?, ?, ?)')
  const insertFts = db.prepare('INSERT INTO events_fts (id, content) VALUES (?, ?)')
  const put = db.transaction((events: NostrEvent[]) => {
    for (const e of events) {
      insertEvent.run(e.id, e.pubkey, e.pubkey, e.created_at, e.kind, JSON.stringify(e.tags), e.content, e.sig)
      for (const tag of genericTags(e)) insertTag.run(tag, e.id, e.pubkey, e.kind, e.created_at)
      const text = searchable(e)
      if (text) insertFts.run(e.id, text)
    }
  })
  return {
    put: (events) => put(events),
    close: async () => {
      db.pragma('wal_checkpoint(TRUNCATE)')
      await repo.destroy()
    },
  }
}

async function serve(file: string, filterResultCacheTtl: number | undefined): Promise<void> {
  const repo = new EventRepositorySqlite(file)
  await repo.init()
  // logLevel 2 is the peer's LogLevel.WARN (its constants live in @nostr-relay/common, a peer dependency).
  const relay = new NostrRelay(repo, { logLevel: 2, filterResultCacheTtl })
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false })
  wss.on('connection', (ws: WebSocket) => {
    relay.handleConnection(ws, '127.0.0.1')
    ws.on('message', async (data) => {
      let message: unknown
      try {
        message = JSON.parse(data.toString())
      } catch {
        ws.send(JSON.stringify(['NOTICE', 'invalid: not JSON']))
        return
      }
      try {
        await relay.handleMessage(ws, message as Parameters<NostrRelay['handleMessage']>[1])
      } catch (err) {
        ws.send(JSON.stringify(['NOTICE', `error: ${(err as Error).message}`]))
      }
    })
    ws.on('close', () => relay.handleDisconnect(ws))
    ws.on('error', () => relay.handleDisconnect(ws))
  })
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()))
  const { port } = wss.address() as { port: number }
  process.on('message', (msg) => {
    if (msg === 'rss') process.send!({ rss: process.memoryUsage().rss })
    if (msg === 'stop') {
      for (const ws of wss.clients) ws.terminate()
      wss.close(() => void relay.destroy().then(() => repo.destroy()).then(() => process.exit(0)))
    }
  })
  process.send!({ port })
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === SELF) {
  // An empty or missing ttl keeps the peer's default filter-result cache (1 s).
  const [file, ttl] = process.argv.slice(2)
  await serve(file!, ttl ? Number(ttl) : undefined)
}
