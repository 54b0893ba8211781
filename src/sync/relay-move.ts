// Moving a relay to another engine with every event and member: claim it (relay sync leaves it alone), stop it on
// the source, export its events, create it on the target with the same id, config and secret, import the export
// in chunks, activate it there, switch the stored placement (`move_relay`), and purge the source. Membership,
// invites and bans are relay-signed events in the relay's database, so the export carries them. Anything failing
// before the switch is undone: the partial copy on the target is purged and the relay runs on the source again.
import type { Logger } from 'pino'
import type { RelayRow } from '../db/schema.js'
import { DomainError } from '../platform/errors.js'
import type { Platform } from '../platform/platform.js'
import { EngineError, IMPORT_CHUNK_LIMIT } from './engine-client.js'
import type { EngineNode } from './engines.js'
import { LineTooLongError, streamChunks } from './jsonl-chunks.js'
import { engineConfigOf, type RelaySync } from './relay-sync.js'

export interface MoveResult {
  relay: RelayRow
  from: string
  to: string
  /** Events exported from the source and taken by the target. */
  events: number
  /** False when the source could not delete its copy (inactive there; the operator may purge it later). */
  source_purged: boolean
}

/** What failed, in the API's words: an engine that cannot be reached is 503, one that refused is 502. */
function stepFailure(step: string, engine: EngineNode, err: unknown): DomainError {
  if (err instanceof DomainError) return err
  const message = `${step} on engine "${engine.name}" failed: ${(err as Error).message}`
  if (err instanceof EngineError && err.status !== undefined) return new DomainError(502, 'move-failed', message)
  return new DomainError(503, 'engine-unavailable', message)
}

export async function moveRelay(platform: Platform, relaySync: RelaySync, relayId: string, targetName: string): Promise<MoveResult> {
  const { queries, commands } = platform
  const log = platform.log.child({ component: 'relay-move', relay: relayId })
  const target = platform.engines.get(targetName)
  if (!target) throw new DomainError(422, 'unknown-engine', `unknown engine "${targetName}"; configured: ${platform.engines.names.join(', ')}`)
  const found = await queries.getRelay(relayId)
  if (!found) throw new DomainError(404, 'relay-not-found', 'relay not found')
  const source = platform.engineFor(found)
  if (!(await queries.hasCompletedRelaySync(relayId))) {
    throw new DomainError(409, 'relay-not-synced', 'the relay is not on its engine yet; move it once it is synced')
  }
  let heartbeat = Date.now()
  await commands.startRelayMove(relayId, target.name, heartbeat)
  const beat = async () => {
    const now = Math.max(Date.now(), heartbeat + 1)
    if (!(await commands.heartbeatRelayMove(relayId, target.name, heartbeat, now))) {
      throw new DomainError(409, 'move-abandoned', 'the move stalled and was undone meanwhile')
    }
    heartbeat = now
  }

  let events = 0
  let switched: RelayRow | undefined
  try {
    // A sync that began before the claim finishes first; later ones see the claim and leave the relay alone.
    await relaySync.settled(relayId)
    // On PostgreSQL another instance may be syncing this relay right now: its engine call ends (or times out)
    // within the engine timeout, so once that has passed no change from before the claim can reach the source.
    if (platform.db.kind === 'postgres') await new Promise((resolve) => setTimeout(resolve, platform.config.engine.timeoutMs + 1000))
    const relay = (await queries.getRelay(relayId))!
    await source.client.patchRelay(relayId, { inactive: true }).catch((err) => {
      throw stepFailure('stopping the relay', source, err)
    })
    const exported = await source.client.exportEvents(relayId).catch((err) => {
      throw stepFailure('exporting events', source, err)
    })
    await createOnTarget(platform, target, relay, log).catch((err) => {
      void exported.body.cancel().catch(() => undefined)
      throw stepFailure('creating the relay', target, err)
    })
    events = await importAll(exported.body, target, relayId, beat, source)
    if (exported.count !== null && events !== exported.count) {
      throw new DomainError(502, 'move-failed', `the source counted ${exported.count} events but exported ${events}`)
    }
    const current = (await queries.getRelay(relayId))!
    await target.client.patchRelay(relayId, { inactive: current.status !== 'active' }).catch((err) => {
      throw stepFailure('activating the relay', target, err)
    })
    switched = await commands.finishRelayMove(relayId, target.name, heartbeat, `moved from "${source.name}" to "${target.name}" with ${events} events`)
    if (!switched) throw new DomainError(409, 'move-abandoned', 'the move stalled and was undone meanwhile')
  } catch (err) {
    await undo(platform, relaySync, { relayId, source, target, heartbeat, log })
    throw err
  }

  let sourcePurged = true
  try {
    await source.client.deleteRelay(relayId, { purge: true })
  } catch (err) {
    sourcePurged = false
    log.warn({ engine: source.name, error: (err as Error).message }, 'moved, but the source engine kept its (inactive) copy')
  }
  log.info({ from: source.name, to: target.name, events }, 'relay moved')
  return { relay: switched, from: source.name, to: target.name, events, source_purged: sourcePurged }
}

/** Created inactive with its secret, so it takes the import before anyone connects. A leftover of an earlier try is purged first. */
async function createOnTarget(platform: Platform, target: EngineNode, relay: RelayRow, log: Logger): Promise<void> {
  const config = { ...(await engineConfigOf(platform, relay)), inactive: true, secret: platform.box.open(relay.secret) }
  try {
    await target.client.createRelay(relay.id, config)
  } catch (err) {
    if (!(err instanceof EngineError && err.status === 409)) throw err
    log.warn({ engine: target.name }, 'the target engine had a copy of the relay from an earlier attempt; purging it')
    await target.client.deleteRelay(relay.id, { purge: true })
    await target.client.createRelay(relay.id, config)
  }
}

/** Streams the export into the target, chunk by chunk; every line must be taken. Returns the lines imported. */
async function importAll(
  body: ReadableStream<Uint8Array>,
  target: EngineNode,
  relayId: string,
  beat: () => Promise<void>,
  source: EngineNode,
): Promise<number> {
  let lines = 0
  const chunks = streamChunks(body as unknown as AsyncIterable<Uint8Array>, IMPORT_CHUNK_LIMIT)
  for (;;) {
    let next: IteratorResult<{ firstLine: number; lines: number; bytes: Buffer }>
    try {
      next = await chunks.next()
    } catch (err) {
      if (err instanceof LineTooLongError) throw new DomainError(502, 'move-failed', `the export has an event too large to import: ${err.message}`)
      throw stepFailure('exporting events', source, err)
    }
    if (next.done) return lines
    const chunk = next.value
    const summary = await target.client.importEvents(relayId, chunk.bytes, chunk.firstLine).catch((err) => {
      throw stepFailure('importing events', target, err)
    })
    if (summary.refused.length > 0) {
      const first = summary.refused[0]!
      throw new DomainError(502, 'move-failed', `engine "${target.name}" refused ${summary.refused.length} exported events (line ${first.line}: ${first.reason})`)
    }
    if (summary.accepted + summary.skipped !== chunk.lines) {
      throw new DomainError(502, 'move-failed', `engine "${target.name}" took ${summary.accepted + summary.skipped} of ${chunk.lines} lines from line ${chunk.firstLine}`)
    }
    lines += chunk.lines
    await beat()
  }
}

/** Before the switch: purge the partial copy on the target and run the relay on the source again. */
async function undo(
  platform: Platform,
  relaySync: RelaySync,
  move: { relayId: string; source: EngineNode; target: EngineNode; heartbeat: number; log: Logger },
): Promise<void> {
  const { relayId, source, target, log } = move
  try {
    await target.client.deleteRelay(relayId, { purge: true })
  } catch (err) {
    if (!(err instanceof EngineError && err.status === 404)) {
      log.warn({ engine: target.name, error: (err as Error).message }, 'the failed move left a copy on the target engine')
    }
  }
  try {
    const relay = await platform.queries.getRelay(relayId)
    await source.client.patchRelay(relayId, { inactive: relay?.status !== 'active' })
  } catch (err) {
    log.warn({ engine: source.name, error: (err as Error).message }, 'could not restart the relay on its engine after a failed move; relay sync retries')
  }
  // Unsynced and released: relay sync puts the relay back exactly as it should be (and retries if the PATCH above failed).
  if (await platform.commands.abandonRelayMove(relayId, target.name, move.heartbeat)) relaySync.request(relayId)
}
