// NIP-47 wallet-connect URIs: nostr+walletconnect://<wallet pubkey>?relay=<wss url>&secret=<64 hex>[&relay=…][&lud16=…]
import { DomainError } from './errors.js'

export interface WalletConnectUri {
  uri: string
  walletPubkey: string
  relays: string[]
  secret: string
  lud16?: string
}

const invalid = (why: string) => new DomainError(422, 'invalid-nwc-url', `invalid wallet-connect URI: ${why}`)

export function parseWalletConnectUri(input: string): WalletConnectUri {
  const uri = input.trim()
  if (uri.length > 2048) throw invalid('too long')
  const match = /^nostr\+walletconnect:\/\/([0-9a-fA-F]{64})\?(.*)$/.exec(uri)
  if (!match) throw invalid('expected nostr+walletconnect://<wallet pubkey>?relay=…&secret=…')
  const params = new URLSearchParams(match[2])
  const relays = params.getAll('relay')
  if (relays.length === 0) throw invalid('at least one relay is required')
  for (const relay of relays) {
    let url: URL
    try {
      url = new URL(relay)
    } catch {
      throw invalid('relay must be a ws:// or wss:// URL')
    }
    if (url.protocol !== 'wss:' && url.protocol !== 'ws:') throw invalid('relay must be a ws:// or wss:// URL')
  }
  const secret = params.get('secret') ?? ''
  if (!/^[0-9a-fA-F]{64}$/.test(secret)) throw invalid('secret must be 64 hex characters')
  return { uri, walletPubkey: match[1]!.toLowerCase(), relays, secret: secret.toLowerCase(), lud16: params.get('lud16') ?? undefined }
}
