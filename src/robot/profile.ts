// The robot's own profile (kind 0), outbox list (10002) and DM relays (10050), published to its outbox relays and
// the indexers only when they changed. What was last published is kept in `<DATA_DIR>/robot-lists.json` (a digest
// of content, tags and target relays, and created_at), so a restart with the same settings publishes nothing and
// a changed setting is published with a created_at above the previous one (replaceable events: newest wins).
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import type { Logger } from 'pino'
import { realClock, type Clock } from '../workers/clock.js'
import type { RobotIdentity } from './identity.js'
import { relaySet, robotListTemplates, type RobotProfile } from './lists.js'
import type { NostrRelays } from './nostr-relays.js'

interface PublishedState {
  [kind: string]: { digest: string; created_at: number; id: string }
}

export interface PublishReport {
  published: number[]
  unchanged: number[]
  failed: number[]
}

export class ProfilePublisher {
  private readonly clock: Clock
  private readonly targets: string[]

  constructor(
    private readonly robot: RobotIdentity,
    private readonly relays: NostrRelays,
    private readonly options: { profile: RobotProfile; indexerRelays: readonly string[]; statePath: string; log: Logger; clock?: Clock },
  ) {
    this.clock = options.clock ?? realClock
    this.targets = relaySet([...options.profile.outboxRelays, ...options.indexerRelays])
  }

  private readState(): PublishedState {
    if (!existsSync(this.options.statePath)) return {}
    try {
      const parsed = JSON.parse(readFileSync(this.options.statePath, 'utf8')) as unknown
      return parsed && typeof parsed === 'object' ? (parsed as PublishedState) : {}
    } catch {
      // A damaged file only costs a republish.
      return {}
    }
  }

  private writeState(state: PublishedState): void {
    const tmp = `${this.options.statePath}.tmp`
    writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`)
    renameSync(tmp, this.options.statePath)
  }

  /** Publishes whichever of kind 0, 10002 and 10050 changed since the last successful publication. */
  async publish(): Promise<PublishReport> {
    const report: PublishReport = { published: [], unchanged: [], failed: [] }
    if (this.targets.length === 0) {
      this.options.log.info('robot profile not published: no outbox or indexer relays configured')
      return report
    }
    const state = this.readState()
    for (const template of robotListTemplates(this.options.profile)) {
      const digest = createHash('sha256').update(JSON.stringify([template.kind, template.content, template.tags, this.targets])).digest('hex')
      const previous = state[template.kind]
      if (previous?.digest === digest) {
        report.unchanged.push(template.kind)
        continue
      }
      const createdAt = Math.max(Math.floor(this.clock.now() / 1000), (previous?.created_at ?? 0) + 1)
      const event = this.robot.sign({ ...template, created_at: createdAt })
      const results = await this.relays.publish(this.targets, event, { auth: this.robot.sign })
      const accepted = results.filter((r) => r.ok).map((r) => r.url)
      if (accepted.length > 0) {
        state[template.kind] = { digest, created_at: createdAt, id: event.id }
        this.writeState(state)
        report.published.push(template.kind)
        this.options.log.info({ kind: template.kind, relays: accepted }, 'robot list published')
      } else {
        report.failed.push(template.kind)
        this.options.log.warn({ kind: template.kind, errors: results.map((r) => `${r.url}: ${r.message}`) }, 'robot list not published')
      }
    }
    return report
  }
}
