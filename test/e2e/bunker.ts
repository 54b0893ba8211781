// A NIP-46 remote signer ("bunker") for tests: it holds the user's key and answers kind-24133 requests
// (NIP-44 encrypted) over a relay, like nsec.app or Amber would. It can hand out a bunker:// URI, or
// connect to a client's nostrconnect:// URI as a signer app does after scanning the QR code.
import { getConversationKey, encrypt, decrypt } from 'nostr-tools/nip44'
import { finalizeEvent, generateSecretKey, getPublicKey, type EventTemplate, type NostrEvent } from 'nostr-tools/pure'
import { Relay } from 'nostr-tools/relay'

const NOSTR_CONNECT = 24133

export class TestBunker {
  /** The bunker's own key (it speaks for the user, whose key differs). */
  private readonly bunkerSk = generateSecretKey()
  readonly bunkerPubkey = getPublicKey(this.bunkerSk)
  readonly secret = Math.random().toString(36).slice(2)
  /** Methods asked for, in order, so tests can check the signer was asked once. */
  readonly requests: string[] = []
  private relay!: Relay
  private sub: { close(): void } | undefined

  constructor(
    private readonly relayUrl: string,
    private readonly userSk: Uint8Array,
  ) {}

  get bunkerUri(): string {
    return `bunker://${this.bunkerPubkey}?relay=${encodeURIComponent(this.relayUrl)}&secret=${this.secret}`
  }

  async start(): Promise<void> {
    this.relay = await Relay.connect(this.relayUrl)
    this.sub = this.relay.subscribe([{ kinds: [NOSTR_CONNECT], '#p': [this.bunkerPubkey] }], {
      onevent: (e) => void this.answer(e),
    })
  }

  /** What a signer app does after scanning a nostrconnect:// QR code: tell the client it is connected. */
  async acceptNostrConnect(uri: string): Promise<void> {
    const url = new URL(uri)
    const client = url.hostname || url.pathname.replace(/^\/\//, '')
    const secret = url.searchParams.get('secret')
    if (!secret) throw new Error('nostrconnect URI without secret')
    await this.send(client, { id: Math.random().toString(36).slice(2), result: secret })
  }

  private async answer(event: NostrEvent): Promise<void> {
    const key = getConversationKey(this.bunkerSk, event.pubkey)
    const { id, method, params } = JSON.parse(decrypt(event.content, key)) as { id: string; method: string; params: string[] }
    this.requests.push(method)
    let result: string
    switch (method) {
      case 'connect':
        if (params[1] && params[1] !== this.secret) return this.send(event.pubkey, { id, result: '', error: 'wrong secret' })
        result = 'ack'
        break
      case 'get_public_key':
        result = getPublicKey(this.userSk)
        break
      case 'sign_event':
        result = JSON.stringify(finalizeEvent(JSON.parse(params[0]!) as EventTemplate, this.userSk))
        break
      case 'ping':
        result = 'pong'
        break
      case 'switch_relays':
        result = 'null'
        break
      default:
        return this.send(event.pubkey, { id, result: '', error: `unsupported method ${method}` })
    }
    await this.send(event.pubkey, { id, result })
  }

  private async send(to: string, body: { id: string; result: string; error?: string }): Promise<void> {
    const content = encrypt(JSON.stringify(body), getConversationKey(this.bunkerSk, to))
    const event = finalizeEvent({ kind: NOSTR_CONNECT, created_at: Math.floor(Date.now() / 1000), tags: [['p', to]], content }, this.bunkerSk)
    await this.relay.publish(event)
  }

  close(): void {
    this.sub?.close()
    this.relay?.close()
  }
}
