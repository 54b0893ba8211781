// Export, import and purge of one relay's data (engine.md §6). These work on a RelayStore; the engine wraps
// them so a loaded relay's in-memory state follows, and the CLI uses them on a stopped engine's data dir.
import type { NostrEvent } from 'nostr-tools/pure'
import { verifyFreshEvent } from '../nostr/verify.js'
import { serializeEvent } from './nip01.js'
import { applyDeletion, DELETION_KIND } from './nip09.js'
import type { RelayStore } from './store.js'

/** Writes every event as one JSON line, `created_at` ascending then id. Returns the number of lines. */
export function exportEvents(store: RelayStore, writeLine: (line: string) => void): number {
  let n = 0
  for (const json of store.iterateAll()) {
    writeLine(json)
    n++
  }
  return n
}

export interface ImportSummary {
  /** Lines stored. */
  accepted: number
  /** Valid lines not stored: already present, an older replaceable version, or deleted by a kind 5. */
  skipped: number
  /** Invalid lines, with their 1-based line numbers and why. */
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
  options: { reset?: boolean } = {},
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
  let lineNo = 0
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
