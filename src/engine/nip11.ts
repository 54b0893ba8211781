// NIP-11 relay information document: only what is implemented and enabled is advertised (engine.md §5.2).
import { LIMITS } from './nip01.js'
import type { VirtualRelay } from './relay.js'

export const ENGINE_SOFTWARE = 'https://github.com/caravel-hosting/caravel'
export const ENGINE_VERSION = '0.1.0'

/** NIPs served by every relay in phase 1. */
const BASE_NIPS = [1, 9, 11, 40, 42, 43, 70]

/** Only what is implemented and enabled on this relay, in ascending order. */
export function supportedNips(config: { groups: { enabled: boolean }; management: { enabled: boolean } }): number[] {
  const nips = [...BASE_NIPS]
  if (config.groups.enabled) nips.push(29)
  if (config.management.enabled) nips.push(86)
  return nips.sort((a, b) => a - b)
}

export function relayInformation(relay: VirtualRelay): Record<string, unknown> {
  const { info } = relay.config
  const doc: Record<string, unknown> = {}
  if (info.name) doc.name = info.name
  if (info.description) doc.description = info.description
  if (info.icon) doc.icon = info.icon
  doc.pubkey = info.pubkey
  doc.self = relay.self
  doc.supported_nips = supportedNips(relay.config)
  doc.software = ENGINE_SOFTWARE
  doc.version = ENGINE_VERSION
  doc.limitation = {
    ...LIMITS,
    auth_required: true,
    restricted_writes: true,
    payment_required: false,
  }
  return doc
}
