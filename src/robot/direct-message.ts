// One NIP-17 direct message from the robot (conventions §4): a kind 14 rumor, sealed (kind 13) by the robot and
// gift-wrapped (kind 1059) by a one-time key, both NIP-44 v2 with created_at randomised into the past, published
// only to the recipient's DM relays. Delivered = at least one relay answered `OK true`.
import { wrapEvent } from 'nostr-tools/nip17'
import type { NostrEvent } from 'nostr-tools/pure'
import { hexToBytes } from 'nostr-tools/utils'
import type { RobotIdentity } from './identity.js'
import { LookupError, type DmRelayResolver } from './dm-relays.js'
import type { NostrRelays } from './nostr-relays.js'

export type DeliveryOutcome =
  | { status: 'sent'; relays: string[] }
  | { status: 'no-dm-relays' }
  | { status: 'failed'; error: string; permanent: boolean }

/** The gift wrap for `text` to `recipient`, sealed by the robot. A new wrap (and one-time key) per call. */
export function wrapDirectMessage(robot: RobotIdentity, recipient: string, text: string): NostrEvent {
  return wrapEvent(hexToBytes(robot.secretKeyHex), { publicKey: recipient }, text)
}

export class DirectMessages {
  constructor(
    private readonly robot: RobotIdentity,
    private readonly relays: NostrRelays,
    private readonly resolver: DmRelayResolver,
  ) {}

  async send(recipient: string, text: string): Promise<DeliveryOutcome> {
    let dmRelays: string[]
    try {
      dmRelays = await this.resolver.resolve(recipient)
    } catch (err) {
      if (!(err instanceof LookupError)) throw err
      return { status: 'failed', error: `lookup: ${err.message}`, permanent: err.permanent }
    }
    if (dmRelays.length === 0) return { status: 'no-dm-relays' }
    const results = await this.relays.publish(dmRelays, wrapDirectMessage(this.robot, recipient, text), { auth: this.robot.sign })
    const accepted = results.filter((r) => r.ok).map((r) => r.url)
    if (accepted.length > 0) return { status: 'sent', relays: accepted }
    // Every DM relay failed: their list may have changed, so look it up again next time.
    this.resolver.invalidate(recipient)
    return { status: 'failed', error: results.map((r) => `${r.url}: ${r.message}`).join('; ').slice(0, 500), permanent: false }
  }
}
