// Where a recipient reads NIP-17 DMs (conventions §4): their 10002 from the indexer relays, then their 10050 from
// the indexers ∪ their write relays; newest valid event wins. Results are cached by pubkey: found for 6 h, not
// found for 15 min; a lookup nobody answered is not cached (it is a failure, retried by the caller).
import { LRUCache } from 'lru-cache'
import type { Clock } from '../workers/clock.js'
import { realClock } from '../workers/clock.js'
import { KIND_DM_RELAYS, KIND_RELAY_LIST, newestReplaceable, parseDmRelays, parseRelayList, relaySet } from './lists.js'
import type { AuthSigner, NostrRelays } from './nostr-relays.js'

export const FOUND_TTL_MS = 6 * 3600_000
export const NOT_FOUND_TTL_MS = 15 * 60_000

export class LookupError extends Error {
  /** True when retrying cannot help (nothing configured to ask). */
  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message)
  }
}

export interface DmRelayResolverOptions {
  indexerRelays: readonly string[]
  clock?: Clock
  foundTtlMs?: number
  notFoundTtlMs?: number
  /** Answers NIP-42 challenges of relays that want an authenticated reader. */
  auth?: AuthSigner
  /** Write relays of the recipient asked for their 10050 (beyond the indexers). */
  maxWriteRelays?: number
  /** DM relays used at most (a 10050 is meant to be small). */
  maxDmRelays?: number
  /** Cached recipients kept at most (oldest dropped first). */
  maxEntries?: number
}

interface Entry {
  relays: string[]
  expiresAt: number
}

export class DmRelayResolver {
  private readonly cache: LRUCache<string, Entry>
  private readonly indexers: string[]
  private readonly clock: Clock
  private readonly foundTtlMs: number
  private readonly notFoundTtlMs: number
  private readonly maxWriteRelays: number
  private readonly maxDmRelays: number
  /** Network lookups made (cache misses), for tests and metrics. */
  lookups = 0

  constructor(
    private readonly relays: NostrRelays,
    private readonly options: DmRelayResolverOptions,
  ) {
    this.indexers = relaySet(options.indexerRelays)
    this.clock = options.clock ?? realClock
    this.foundTtlMs = options.foundTtlMs ?? FOUND_TTL_MS
    this.notFoundTtlMs = options.notFoundTtlMs ?? NOT_FOUND_TTL_MS
    this.maxWriteRelays = options.maxWriteRelays ?? 8
    this.maxDmRelays = options.maxDmRelays ?? 5
    this.cache = new LRUCache({ max: options.maxEntries ?? 10_000 })
  }

  /** The recipient's DM relays; [] when they have none. Throws LookupError when no relay could be asked. */
  async resolve(pubkey: string): Promise<string[]> {
    const now = this.clock.now()
    const hit = this.cache.get(pubkey)
    if (hit && hit.expiresAt > now) return hit.relays
    this.cache.delete(pubkey)
    const relays = await this.lookup(pubkey)
    this.remember(pubkey, relays)
    return relays
  }

  /** Forgets a recipient (every DM relay failed: their list may have changed). */
  invalidate(pubkey: string): void {
    this.cache.delete(pubkey)
  }

  private remember(pubkey: string, relays: string[]): void {
    this.cache.set(pubkey, { relays, expiresAt: this.clock.now() + (relays.length > 0 ? this.foundTtlMs : this.notFoundTtlMs) })
  }

  private async lookup(pubkey: string): Promise<string[]> {
    this.lookups++
    if (this.indexers.length === 0) throw new LookupError('no indexer relays configured (ROBOT_INDEXER_RELAYS)', true)
    const auth = this.options.auth
    // One REQ to the indexers for both lists; the 10050 may also (or only, or newer) be on the write relays.
    const fromIndexers = await this.relays.fetch(this.indexers, { kinds: [KIND_RELAY_LIST, KIND_DM_RELAYS], authors: [pubkey], limit: 10 }, { auth })
    const relayList = newestReplaceable(fromIndexers.events, pubkey, KIND_RELAY_LIST)
    const writeRelays = relayList ? parseRelayList(relayList).write.filter((url) => !this.indexers.includes(url)).slice(0, this.maxWriteRelays) : []
    const fromWriteRelays =
      writeRelays.length > 0
        ? await this.relays.fetch(writeRelays, { kinds: [KIND_DM_RELAYS], authors: [pubkey], limit: 5 }, { auth })
        : { events: [], answered: [], failed: {} }
    if (fromIndexers.answered.length === 0 && fromWriteRelays.answered.length === 0) {
      throw new LookupError('no indexer or write relay answered')
    }
    const dmList = newestReplaceable([...fromIndexers.events, ...fromWriteRelays.events], pubkey, KIND_DM_RELAYS)
    return dmList ? parseDmRelays(dmList, this.maxDmRelays) : []
  }
}
