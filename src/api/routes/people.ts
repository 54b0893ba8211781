// People as the API shows them next to relay data (members, who joined with an invite, banned pubkeys): the
// pubkey, its npub, and the name and picture from their Nostr profile when the robot's directory knows them.
import { npubEncode } from 'nostr-tools/nip19'
import type { RelayRow } from '../../db/schema.js'
import type { Platform } from '../../platform/platform.js'
import { relayUrlFor } from '../../platform/views.js'
import type { Profile, ProfileDirectory } from '../../robot/profiles.js'

export interface Person {
  pubkey: string
  npub: string
  name: string | null
  picture: string | null
}

export interface People {
  /** Profiles of `pubkeys`, looked up on the relay itself and the indexers; empty without a directory. */
  profilesOf(relay: RelayRow, pubkeys: readonly string[]): Promise<Map<string, Profile>>
  person(pubkey: string, profiles: ReadonlyMap<string, Profile>): Person
}

export function people(platform: Platform, directory: ProfileDirectory | undefined): People {
  const urlFor = relayUrlFor(platform.config.relayDomain, platform.config.engine.port)
  return {
    async profilesOf(relay, pubkeys) {
      if (!directory || pubkeys.length === 0) return new Map()
      return directory.lookup([...new Set(pubkeys)], urlFor(relay.subdomain))
    },
    person(pubkey, profiles) {
      const p = profiles.get(pubkey)
      return { pubkey, npub: npubEncode(pubkey), name: p?.name ?? null, picture: p?.picture ?? null }
    },
  }
}
