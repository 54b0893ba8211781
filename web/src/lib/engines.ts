// Engine placement in words, for an admin's relay page: where a relay can move, and what a move answered.
import type { Engine, RelayMove } from './api'
import { formatCount } from './stats'
import { ApiError, errorText, sentence } from './errors'

const count = (n: number, one: string, many: string) => `${formatCount(n)} ${n === 1 ? one : many}`

/** A target in the picker: its name and how many relays it serves already (placement goes by that count). */
export function engineChoiceLabel(engine: Engine): string {
  return `${engine.name} (${count(engine.relays, 'relay', 'relays')})`
}

/** The engines a relay on `current` can move to, in the configured order. */
export function moveTargets(engines: Engine[], current: string | null): Engine[] {
  return engines.filter((e) => e.name !== current)
}

/** A finished move in words: how many events went, and whether the source still holds an (inactive) copy. */
export function moveOutcome(move: RelayMove): string {
  const moved = `Moved from engine ${move.from} to engine ${move.to} with ${count(move.events, 'event', 'events')}.`
  const source = move.source_purged
    ? `Its copy on engine ${move.from} was deleted.`
    : `Engine ${move.from} could not delete its copy, which stays there inactive: delete it later on that engine (DELETE /relay/${move.relay.id}?purge=true on its management API, or caravel engine purge --relay ${move.relay.id} while it is stopped).`
  return `${moved} ${source}`
}

/**
 * A refused move in words. An unreachable engine is said generally elsewhere ("try again in a moment"); here
 * the server names the step and the engine, and the relay is known to run where it was.
 */
export function moveRefusal(err: unknown): string {
  if (err instanceof ApiError && err.code === 'engine-unavailable') {
    return `An engine could not be reached, so the move was undone and the relay runs where it was. ${sentence(err.serverMessage)}`.trim()
  }
  return errorText(err)
}
