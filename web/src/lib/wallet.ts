// The wallet-connect (NIP-47) URI a tenant pastes for auto-pay, checked as it is typed with the API's own
// parser (src/platform/wallet-connect-uri.ts), so the browser and the server never disagree about it.
import { parseWalletConnectUri } from '../../../src/platform/wallet-connect-uri'
import { walletUriWords } from './errors'

/** Words for what is wrong with a wallet-connect URI, or null when the API will accept it. */
export function walletUriMessage(typed: string): string | null {
  if (typed.trim() === '') return 'Paste the wallet-connect URI from your wallet (it starts with nostr+walletconnect://).'
  try {
    parseWalletConnectUri(typed)
    return null
  } catch (err) {
    return walletUriWords((err as Error).message)
  }
}
