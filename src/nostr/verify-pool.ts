// Schnorr verification of NIP-98 tokens on worker threads (piscina). One verification costs about 0.25 ms of
// CPU; on the event loop it stalls every other request meanwhile and caps signed requests at one core's rate.
// The pool keeps the event loop for HTTP and spreads verifications over the machine's cores.
import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Piscina } from 'piscina'

// Built, the worker is the .js file next to this one; run from source (tsx, vitest), a small .mjs entry loads
// the TypeScript worker through tsx.
const fromSource = extname(fileURLToPath(import.meta.url)) === '.ts'
const workerFile = new URL(fromSource ? './verify-worker.source.mjs' : './verify-worker.js', import.meta.url).href

export class VerifyPool {
  private readonly pool: Piscina<string, boolean>

  constructor(readonly threads: number) {
    if (!Number.isSafeInteger(threads) || threads < 1) throw new Error(`invalid thread count ${threads}`)
    this.pool = new Piscina<string, boolean>({
      filename: workerFile,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Number.POSITIVE_INFINITY,
      // A few tokens queued in each thread: a thread that finishes one starts the next at once, instead of idling
      // until the busy event loop gets round to handing it more (0.78× → 0.95× of one core's rate in bench/api.ts).
      concurrentTasksPerWorker: 4,
    })
  }

  /** Whether `json` (a token's decoded JSON) is a well-formed event with a valid id and signature. */
  verify(json: string): Promise<boolean> {
    return this.pool.run(json)
  }

  close(): Promise<void> {
    return this.pool.destroy()
  }
}
