// Names and pictures of relay members: their kind 0, looked up by the robot on the member's own relay and on the
// indexer relays, and kept in the `profile` table so a member list costs one query. A lookup answers from the
// table; pubkeys never looked up, or looked up more than `freshSeconds` ago, are fetched (one filter for all of
// them, at most `waitMs` waited for — what arrives later is stored for the next request).
import type { Logger } from 'pino'
import type { Database } from '../db/database.js'
import type { ProfileRow } from '../db/schema.js'
import { realClock, type Clock } from '../workers/clock.js'
import { KIND_PROFILE, newestReplaceable } from './lists.js'
import type { AuthSigner, NostrRelays } from './nostr-relays.js'

const MAX_AUTHORS_PER_FILTER = 500

export interface Profile {
  name: string | null
  picture: string | null
  nip05: string | null
}

const text = (v: unknown, max: number): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, max) : null)

function httpUrl(v: unknown): string | null {
  const s = text(v, 2048)
  if (!s) return null
  try {
    const url = new URL(s)
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null
  } catch {
    return null
  }
}

/** The display fields of a kind 0 content; anything malformed reads as absent. */
export function profileFields(content: string): Profile {
  let parsed: Record<string, unknown>
  try {
    const value = JSON.parse(content) as unknown
    parsed = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
  } catch {
    parsed = {}
  }
  return {
    name: text(parsed.display_name, 100) ?? text(parsed.name, 100),
    picture: httpUrl(parsed.picture),
    nip05: text(parsed.nip05, 200),
  }
}

export class ProfileDirectory {
  private readonly clock: Clock
  private readonly freshSeconds: number
  private readonly waitMs: number
  private readonly inFlight = new Set<Promise<unknown>>()

  constructor(
    private readonly db: Database,
    private readonly relays: NostrRelays,
    private readonly options: { indexerRelays: readonly string[]; auth: AuthSigner; log: Logger; clock?: Clock; freshSeconds?: number; waitMs?: number },
  ) {
    this.clock = options.clock ?? realClock
    this.freshSeconds = options.freshSeconds ?? 3600
    this.waitMs = options.waitMs ?? 1500
  }

  /** Profiles of `pubkeys`, refreshing stale ones from `relayUrl` (the members' relay) and the indexers. */
  async lookup(pubkeys: readonly string[], relayUrl?: string): Promise<Map<string, Profile>> {
    const known = await this.read(pubkeys)
    const now = Math.floor(this.clock.now() / 1000)
    const stale = pubkeys.filter((pk) => {
      const row = known.get(pk)
      return !row || now - row.fetched_at >= this.freshSeconds
    })
    if (stale.length > 0) {
      const refresh = this.refresh(stale, relayUrl)
      this.track(refresh)
      let timer: NodeJS.Timeout | undefined
      const waited = await Promise.race([
        refresh.then(() => true),
        new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), this.waitMs))),
      ])
      clearTimeout(timer)
      if (waited) return this.toProfiles(await this.read(pubkeys))
    }
    return this.toProfiles(known)
  }

  /** Waits for background refreshes (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight])
  }

  private track(p: Promise<unknown>): void {
    const tracked = p.catch((err: unknown) => this.options.log.warn({ err }, 'profile lookup failed')).finally(() => this.inFlight.delete(tracked))
    this.inFlight.add(tracked)
  }

  private async read(pubkeys: readonly string[]): Promise<Map<string, ProfileRow>> {
    const rows: ProfileRow[] = []
    for (let i = 0; i < pubkeys.length; i += MAX_AUTHORS_PER_FILTER) {
      const chunk = pubkeys.slice(i, i + MAX_AUTHORS_PER_FILTER)
      rows.push(...(await this.db.all(this.db.q.selectFrom('profile').selectAll().where('pubkey', 'in', chunk))))
    }
    return new Map(rows.map((r) => [r.pubkey, r]))
  }

  private toProfiles(rows: Map<string, ProfileRow>): Map<string, Profile> {
    return new Map([...rows].map(([pk, r]) => [pk, { name: r.name, picture: r.picture, nip05: r.nip05 }]))
  }

  private async refresh(pubkeys: readonly string[], relayUrl: string | undefined): Promise<void> {
    const sources = [...new Set([...(relayUrl ? [relayUrl] : []), ...this.options.indexerRelays])]
    if (sources.length === 0) return
    for (let i = 0; i < pubkeys.length; i += MAX_AUTHORS_PER_FILTER) {
      const authors = pubkeys.slice(i, i + MAX_AUTHORS_PER_FILTER)
      const { events, answered } = await this.relays.fetch(sources, { kinds: [KIND_PROFILE], authors }, { auth: this.options.auth })
      // Nobody answered: try again on the next request rather than remembering "no profile".
      if (answered.length === 0) continue
      const fetchedAt = Math.floor(this.clock.now() / 1000)
      await this.db.transaction(async (tx) => {
        for (const pubkey of authors) {
          const newest = newestReplaceable(events, pubkey, KIND_PROFILE)
          const fields = newest ? profileFields(newest.content) : { name: null, picture: null, nip05: null }
          const row: ProfileRow = { pubkey, ...fields, event_created_at: newest?.created_at ?? null, fetched_at: fetchedAt }
          const current = await tx.first(tx.q.selectFrom('profile').selectAll().where('pubkey', '=', pubkey))
          if (!current) {
            // Another instance may have stored it meanwhile: then it stays as that lookup found it.
            await tx.run(tx.q.insertInto('profile').values(row).onConflict((oc) => oc.column('pubkey').doNothing()))
          } else if (newest && newest.created_at >= (current.event_created_at ?? 0)) {
            await tx.run(tx.q.updateTable('profile').set(row).where('pubkey', '=', pubkey))
          } else {
            // An older or missing kind 0 only marks the lookup.
            await tx.run(tx.q.updateTable('profile').set({ fetched_at: fetchedAt }).where('pubkey', '=', pubkey))
          }
        }
      })
    }
  }
}
