// The robot tests' name for the shared local relay (inboxes that may demand NIP-42 AUTH, or refuse everything).
export { deadRelayUrl, LocalNostrRelay as DmRelay, type LocalRelayOptions as DmRelayOptions } from './nostr-relay.js'
