import { describe, expect, it } from 'vitest'
import type { Filter } from 'nostr-tools/filter'
import { matchFilter } from 'nostr-tools/filter'
import { finalizeEvent, generateSecretKey, getPublicKey, type NostrEvent } from 'nostr-tools/pure'
import { ManualClock } from '../../test/helpers/clock.js'
import { DmRelayResolver, LookupError } from './dm-relays.js'

// The TTLs of conventions §4, written out so that changing the defaults fails here.
const FOUND_TTL_MS = 6 * 3600_000
const NOT_FOUND_TTL_MS = 15 * 60_000
import type { FetchResult, NostrRelays, PublishResult } from './nostr-relays.js'

/** Relays as a map url → stored events; a url mapped to `'down'` fails. */
class FakeRelays implements NostrRelays {
  readonly fetches: { urls: readonly string[]; filter: Filter }[] = []
  constructor(readonly stores: Record<string, NostrEvent[] | 'down'>) {}

  async fetch(urls: readonly string[], filter: Filter): Promise<FetchResult> {
    this.fetches.push({ urls, filter })
    const result: FetchResult = { events: [], answered: [], failed: {} }
    for (const url of urls) {
      const store = this.stores[url]
      if (store === undefined || store === 'down') result.failed[url] = 'connect: connection failed'
      else {
        result.answered.push(url)
        result.events.push(...store.filter((e) => matchFilter(filter, e)))
      }
    }
    return result
  }

  async publish(): Promise<PublishResult[]> {
    throw new Error('not used')
  }
}

const sk = generateSecretKey()
const pk = getPublicKey(sk)
const INDEXER = 'wss://indexer.example/'
const WRITE = 'wss://write.example/'
const relayList = (created_at = 100) => finalizeEvent({ kind: 10002, created_at, content: '', tags: [['r', WRITE, 'write'], ['r', 'wss://read.example/', 'read']] }, sk)
const dmList = (urls: string[], created_at = 100) => finalizeEvent({ kind: 10050, created_at, content: '', tags: urls.map((u) => ['relay', u]) }, sk)

function setup(stores: Record<string, NostrEvent[] | 'down'>) {
  const clock = new ManualClock()
  const relays = new FakeRelays(stores)
  const resolver = new DmRelayResolver(relays, { indexerRelays: [INDEXER], clock })
  return { clock, relays, resolver }
}

describe('DmRelayResolver', () => {
  it('follows 10002 to the write relays and takes the newest 10050 of indexers ∪ write relays', async () => {
    const { resolver, relays } = setup({
      [INDEXER]: [relayList(), dmList(['wss://old-dm.example/'], 100)],
      [WRITE]: [dmList(['wss://dm.example/'], 200)],
      'wss://read.example/': [dmList(['wss://never-asked.example/'], 300)],
    })
    expect(await resolver.resolve(pk)).toEqual(['wss://dm.example/'])
    expect(relays.fetches.map((f) => f.urls)).toEqual([[INDEXER], [WRITE]])
  })

  it('finds a 10050 kept only on the indexer', async () => {
    const { resolver } = setup({ [INDEXER]: [dmList(['wss://dm.example/'])] })
    expect(await resolver.resolve(pk)).toEqual(['wss://dm.example/'])
  })

  it('caches a found list for 6 hours', async () => {
    const { resolver, clock } = setup({ [INDEXER]: [relayList(), dmList(['wss://dm.example/'])], [WRITE]: [] })
    await resolver.resolve(pk)
    clock.advance(FOUND_TTL_MS - 1)
    await resolver.resolve(pk)
    expect(resolver.lookups).toBe(1)
    clock.advance(1)
    await resolver.resolve(pk)
    expect(resolver.lookups).toBe(2)
  })

  it('caches "not found" for 15 minutes, then looks again and sees a new list', async () => {
    const stores: Record<string, NostrEvent[]> = { [INDEXER]: [relayList()], [WRITE]: [] }
    const { resolver, clock } = setup(stores)
    expect(await resolver.resolve(pk)).toEqual([])
    stores[WRITE]!.push(dmList(['wss://dm.example/']))
    clock.advance(NOT_FOUND_TTL_MS - 1)
    expect(await resolver.resolve(pk)).toEqual([])
    expect(resolver.lookups).toBe(1)
    clock.advance(1)
    expect(await resolver.resolve(pk)).toEqual(['wss://dm.example/'])
    expect(resolver.lookups).toBe(2)
  })

  it('invalidate forgets a cached list', async () => {
    const { resolver } = setup({ [INDEXER]: [dmList(['wss://dm.example/'])] })
    await resolver.resolve(pk)
    resolver.invalidate(pk)
    await resolver.resolve(pk)
    expect(resolver.lookups).toBe(2)
  })

  it('a lookup nobody answered is an error, and is not cached', async () => {
    const { resolver } = setup({ [INDEXER]: 'down' })
    await expect(resolver.resolve(pk)).rejects.toBeInstanceOf(LookupError)
    await expect(resolver.resolve(pk)).rejects.toBeInstanceOf(LookupError)
    expect(resolver.lookups).toBe(2)
  })

  it('without indexers the error is permanent', async () => {
    const resolver = new DmRelayResolver(new FakeRelays({}), { indexerRelays: [] })
    await expect(resolver.resolve(pk)).rejects.toMatchObject({ permanent: true })
  })
})
