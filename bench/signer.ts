// Signs benchmark events in a worker thread (bench/engine.ts, transfer part), so a million really signed events
// take the machine's cores rather than one: `sign` {from, to, base, authors} → events `from`..`to`-1.
import { finalizeEvent } from 'nostr-tools/wasm'
import type { NostrEvent } from 'nostr-tools/pure'
import { initVerifier } from '../src/nostr/verify.js'
import { hexToBytes } from '../src/engine/relay-config.js'
import { serveWorker, workerSpec } from './lib.js'

export interface SignBatch {
  from: number
  to: number
  /** created_at of event 0; event i is one second later than event i - 1. */
  base: number
  /** Hex secret keys; event i is by author i mod n. */
  authors: string[]
}

/** Event i of the transfer relay: kind 1 (one in ten kind 7) with a `t` tag and about 100 characters of text. */
export function signTransferEvents({ from, to, base, authors }: SignBatch): NostrEvent[] {
  const keys = authors.map(hexToBytes)
  const out: NostrEvent[] = []
  for (let i = from; i < to; i++) {
    const content = `transfer bench event ${i}: ${'lorem ipsum dolor sit amet '.repeat(3)}`
    out.push(finalizeEvent({ kind: i % 10 === 0 ? 7 : 1, created_at: base + i, tags: [['t', `topic${i % 50}`]], content }, keys[i % keys.length]!))
  }
  return out
}

if (workerSpec()) {
  await initVerifier()
  serveWorker(true, { sign: (arg) => signTransferEvents(arg as SignBatch) }, async () => {})
}
