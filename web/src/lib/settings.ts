// Public Nostr relays the dashboard talks to directly: where profiles are looked up and where a NIP-46
// signer is reached for the QR code. A deployment (or a test) may override them in localStorage with a
// JSON array, e.g. localStorage['caravel.profileRelays'] = '["wss://relay.example"]'.
export const DEFAULT_PROFILE_RELAYS = ['wss://purplepag.es', 'wss://relay.damus.io', 'wss://relay.nostr.band']
export const DEFAULT_SIGNER_RELAYS = ['wss://relay.nsec.app', 'wss://relay.damus.io']

function relayList(key: string, fallback: string[]): string[] {
  try {
    const raw = localStorage.getItem(key)
    if (raw === null) return fallback
    const parsed: unknown = JSON.parse(raw)
    if (Array.isArray(parsed) && parsed.every((r) => typeof r === 'string' && /^wss?:\/\//.test(r))) return parsed as string[]
  } catch {
    // ignore a bad override
  }
  return fallback
}

export const profileRelays = () => relayList('caravel.profileRelays', DEFAULT_PROFILE_RELAYS)
export const signerRelays = () => relayList('caravel.signerRelays', DEFAULT_SIGNER_RELAYS)
