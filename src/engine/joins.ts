// How and when each member joined (a Caravel extension of NIP-43). Every member addition is recorded as one
// relay-signed internal event (kind 30078, `d` zooid/join/<random>, delivered to nobody): an append-only log,
// so nothing grows with the member count on each join, and an export carries it. The newest record of a
// pubkey tells how it joined; records naming a managed invite count that invite's uses.
import { randomBytes } from 'node:crypto'
import type { EventTemplate, NostrEvent } from 'nostr-tools/pure'
import { APP_DATA_KIND } from './bans.js'
import { firstTagValue } from './nip01.js'

export const JOIN_D_PREFIX = 'zooid/join/'

/** managed invite | NIP-43 inviter claim | public join | management API or NIP-86 allowpubkey. */
export type JoinVia = 'invite' | 'claim' | 'public' | 'api'
const VIAS: readonly string[] = ['invite', 'claim', 'public', 'api'] satisfies JoinVia[]

export interface JoinMethod {
  via: JoinVia
  /** The invite or claim code used (`invite` and `claim` only). */
  code: string | null
}

export interface JoinRecord extends JoinMethod {
  pubkey: string
  joined_at: number
}

export const PUBLIC_JOIN: JoinMethod = { via: 'public', code: null }
export const API_JOIN: JoinMethod = { via: 'api', code: null }

export function joinTemplate(pubkey: string, how: JoinMethod, joinedAt: number): EventTemplate {
  const tags = [['d', JOIN_D_PREFIX + randomBytes(8).toString('hex')], ['-'], ['p', pubkey], ['via', how.via]]
  if (how.code !== null) tags.push(['code', how.code])
  return { kind: APP_DATA_KIND, created_at: joinedAt, tags, content: '' }
}

/** The join an event records, if it is one (the caller checks it is the relay's own). */
export function readJoin(event: NostrEvent): JoinRecord | undefined {
  if (event.kind !== APP_DATA_KIND || !(firstTagValue(event, 'd') ?? '').startsWith(JOIN_D_PREFIX)) return undefined
  const pubkey = firstTagValue(event, 'p')
  const via = firstTagValue(event, 'via')
  if (pubkey === undefined || via === undefined || !VIAS.includes(via)) return undefined
  return { pubkey, joined_at: event.created_at, via: via as JoinVia, code: firstTagValue(event, 'code') ?? null }
}

/** The records in memory: the newest per pubkey, and every join per invite code. */
export class JoinLog {
  private readonly latest = new Map<string, JoinRecord>()
  private readonly byCode = new Map<string, JoinRecord[]>()

  /** Builds the log from the relay's own 30078 events (any order). */
  static from(events: Iterable<NostrEvent>): JoinLog {
    const log = new JoinLog()
    log.load(events)
    return log
  }

  load(events: Iterable<NostrEvent>): void {
    this.clear()
    const records: JoinRecord[] = []
    for (const event of events) {
      const record = readJoin(event)
      if (record) records.push(record)
    }
    for (const record of records.sort((a, b) => a.joined_at - b.joined_at)) this.add(record)
  }

  add(record: JoinRecord): void {
    const previous = this.latest.get(record.pubkey)
    if (!previous || previous.joined_at <= record.joined_at) this.latest.set(record.pubkey, record)
    if (record.via !== 'invite' || record.code === null) return
    const joins = this.byCode.get(record.code)
    if (joins) joins.push(record)
    else this.byCode.set(record.code, [record])
  }

  /** How and when `pubkey` last joined, if recorded. */
  latestOf(pubkey: string): JoinRecord | undefined {
    return this.latest.get(pubkey)
  }

  /** The joins through managed invite `code`, oldest first. */
  joinsWith(code: string): readonly JoinRecord[] {
    return this.byCode.get(code) ?? []
  }

  clear(): void {
    this.latest.clear()
    this.byCode.clear()
  }
}

export interface MemberDetail {
  pubkey: string
  joined_at: number | null
  via: JoinVia | null
  code: string | null
}

/** One entry of `GET /relay/{id}/members?detail=true`. */
export function memberDetail(pubkey: string, record: JoinRecord | undefined): MemberDetail {
  return { pubkey, joined_at: record?.joined_at ?? null, via: record?.via ?? null, code: record?.code ?? null }
}
