// Export, import and purge of one relay's data (engine.md §6). These work on a RelayStore; the engine wraps
// them so a loaded relay's in-memory state follows, and the CLI uses them on a stopped engine's data dir.
import fs from 'node:fs'
import type { Writable } from 'node:stream'
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { NostrEvent } from 'nostr-tools/pure'
import { verifyFreshEvent } from '../nostr/verify.js'
import { serializeEvent } from './nip01.js'
import { applyDeletion, DELETION_KIND } from './nip09.js'
import { openDatabase } from './sqlite.js'
import { EXPORT_SQL, type RelayStore } from './store.js'

/** Writes every event as one JSON line, `created_at` ascending then id. Returns the number of lines. */
export function exportEvents(store: RelayStore, writeLine: (line: string) => void): number {
  let n = 0
  for (const json of store.iterateAll()) {
    writeLine(json)
    n++
  }
  return n
}

/** A consistent read of one relay's events, in export order, on a database connection of its own. */
export interface ExportCursor {
  /** The number of events in the snapshot (the lines `lines` yields). */
  count: number
  lines: Iterator<string>
  close(): void
}

/**
 * Opens a cursor over a relay database file. Its own connection and read transaction give a snapshot that live
 * writes on the relay's connection neither block nor change, and leave that connection free meanwhile (a
 * better-sqlite3 connection runs nothing else while one of its iterators is open). No file: no events.
 */
export function openExportCursor(file: string): ExportCursor {
  if (!fs.existsSync(file)) return { count: 0, lines: [][Symbol.iterator](), close: () => {} }
  const db = openDatabase(file)
  try {
    db.exec('BEGIN')
    const count = db.prepare('SELECT count(*) FROM events').pluck().get() as number
    const lines = db.prepare(EXPORT_SQL).pluck().iterate() as IterableIterator<string>
    return {
      count,
      lines,
      close: () => {
        lines.return?.()
        db.close()
      },
    }
  } catch (err) {
    db.close()
    throw err
  }
}

const EXPORT_CHUNK_CHARS = 64 * 1024

/**
 * Writes lines to `out` about 64 KiB at a time, with backpressure: waits for `drain` when `out` is full, and
 * yields to the event loop between chunks otherwise, so other relays are served meanwhile. Stops when `out`
 * closes (the client went away). Memory stays at one chunk plus `out`'s buffer, whatever the number of lines.
 */
export async function writeLines(lines: Iterator<string>, out: Writable): Promise<{ lines: number; complete: boolean }> {
  let written = 0
  let closed = false
  let wake: (() => void) | undefined
  const onClose = () => {
    closed = true
    wake?.()
  }
  out.on('close', onClose)
  try {
    for (;;) {
      if (closed || out.destroyed) return { lines: written, complete: false }
      let chunk = ''
      let n = 0
      let done = false
      while (chunk.length < EXPORT_CHUNK_CHARS) {
        const next = lines.next()
        if (next.done) {
          done = true
          break
        }
        chunk += next.value + '\n'
        n++
      }
      const roomLeft = n === 0 || out.write(chunk)
      written += n
      if (done) return { lines: written, complete: true }
      if (roomLeft) await nextTurn()
      else {
        await new Promise<void>((resolve) => {
          wake = resolve
          out.once('drain', resolve)
        })
        out.off('drain', wake!)
        wake = undefined
      }
    }
  } finally {
    out.off('close', onClose)
  }
}

/** The lines of a JSONL body, yielding to the event loop every `every` lines so verifying them does not hold up other relays. */
export async function* bodyLines(body: Buffer, every = 50): AsyncGenerator<string> {
  let n = 0
  for (const line of body.toString('utf8').split('\n')) {
    yield line
    if (++n % every === 0) await nextTurn()
  }
}

export interface ImportOptions {
  /** Remove the relay's events first. */
  reset?: boolean
  /** The number of the first line (for an import sent in parts); default 1. */
  firstLine?: number
}

export interface ImportSummary {
  /** Lines stored. */
  accepted: number
  /** Valid lines not stored: already present, an older replaceable version, or deleted by a kind 5. */
  skipped: number
  /** Invalid lines, with their line numbers (from `firstLine`, default 1) and why. */
  refused: { line: number; reason: string }[]
}

const BATCH = 1000

/**
 * Imports JSONL: every line is parsed and verified; replaceable and kind 5 rules apply; access gates do not.
 * Blank lines are ignored. Bad lines are reported, never fatal.
 */
export async function importEvents(
  store: RelayStore,
  lines: AsyncIterable<string> | Iterable<string>,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  if (options.reset) store.clear()
  const summary: ImportSummary = { accepted: 0, skipped: 0, refused: [] }
  let batch: NostrEvent[] = []
  const commit = () => {
    const events = batch
    batch = []
    store.transaction(() => {
      for (const event of events) {
        // A kind 5 already imported keeps deleting what it names, whatever the line order.
        if (store.isDeleted(event)) {
          summary.skipped++
          continue
        }
        const result = store.put(event, serializeEvent(event))
        if (result === 'stored') {
          summary.accepted++
          if (event.kind === DELETION_KIND) applyDeletion(store, event)
        } else summary.skipped++
      }
    })
  }
  let lineNo = (options.firstLine ?? 1) - 1
  for await (const rawLine of lines) {
    lineNo++
    const line = rawLine.trim()
    if (line === '') continue
    let parsed: unknown
    try {
      parsed = JSON.parse(line)
    } catch {
      summary.refused.push({ line: lineNo, reason: 'invalid json' })
      continue
    }
    if (!verifyFreshEvent(parsed)) {
      summary.refused.push({ line: lineNo, reason: 'invalid event id or signature' })
      continue
    }
    batch.push(parsed)
    if (batch.length >= BATCH) commit()
  }
  if (batch.length > 0) commit()
  return summary
}

export function formatImportSummary(s: ImportSummary): string {
  const lines = s.refused.map((r) => r.line)
  const refused = s.refused.length > 0 ? ` (lines ${lines.slice(0, 50).join(', ')}${lines.length > 50 ? ', …' : ''})` : ''
  return `accepted ${s.accepted}, skipped ${s.skipped} (duplicate, older or deleted), refused ${s.refused.length}${refused}`
}
