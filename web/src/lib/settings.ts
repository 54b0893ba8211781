// Nostr relays the dashboard talks to directly: where profiles are looked up and where a NIP-46 signer is
// reached for the QR code. The server names them in /api/config (profile_relays, signer_relays); public relays
// are the fallback when it names none. A test (or a person) may override them in localStorage with a JSON
// array, e.g. localStorage['caravel.profileRelays'] = '["wss://relay.example"]'.
export const DEFAULT_PROFILE_RELAYS = ['wss://purplepag.es', 'wss://relay.damus.io', 'wss://relay.nostr.band']
export const DEFAULT_SIGNER_RELAYS = ['wss://relay.nsec.app', 'wss://relay.damus.io']

const isRelayList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((r) => typeof r === 'string' && /^wss?:\/\//.test(r))

let configured: { profile: string[]; signer: string[] } = { profile: [], signer: [] }

/** The relays this deployment names in /api/config; empty lists keep the public fallback. */
export function setConfiguredRelays(profile: string[] | undefined, signer: string[] | undefined): void {
  configured = { profile: isRelayList(profile) ? profile : [], signer: isRelayList(signer) ? signer : [] }
}

function relayList(key: string, fromServer: string[], fallback: string[]): string[] {
  try {
    const raw = localStorage.getItem(key)
    if (raw !== null) {
      const parsed: unknown = JSON.parse(raw)
      if (isRelayList(parsed)) return parsed
    }
  } catch {
    // ignore a bad override
  }
  return fromServer.length > 0 ? fromServer : fallback
}

export const profileRelays = () => relayList('caravel.profileRelays', configured.profile, DEFAULT_PROFILE_RELAYS)
export const signerRelays = () => relayList('caravel.signerRelays', configured.signer, DEFAULT_SIGNER_RELAYS)
