// A fake Lightning wallet service speaking NIP-47 for real: @getalby/sdk's NWCWalletService on a local relay,
// NIP-44 encrypted, with a shared ledger. Each connection (one NWC URI) has a balance and a behaviour for
// pay_invoice: pay, refuse with a NIP-47 error code, pay but answer late, or pay/not pay and never answer.
import { createHash, randomBytes } from 'node:crypto'
import { bytesToHex } from 'nostr-tools/utils'
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import WebSocket from 'ws'
import { LocalNostrRelay } from './nostr-relay.js'

export type PayBehaviour =
  | { kind: 'pay' }
  | { kind: 'error'; code: string; message?: string }
  | { kind: 'late'; delayMs: number }
  | { kind: 'silent'; pays: boolean }

export interface LedgerInvoice {
  invoice: string
  paymentHash: string
  preimage: string
  amountMsats: number
  description: string
  createdAt: number
  expiresAt: number
  settledAt: number | null
  /** Successful pay_invoice calls for this bolt11 (more than one would be a double payment). */
  payments: number
}

interface Connection {
  name: string
  uri: string
  balanceMsats: number
  behaviour: PayBehaviour
  lookups: boolean
}

const now = () => Math.floor(Date.now() / 1000)

export class FakeWallet {
  readonly relay = new LocalNostrRelay()
  readonly ledger = new Map<string, LedgerInvoice>()
  readonly connections = new Map<string, Connection>()
  private readonly walletSecret = bytesToHex(generateSecretKey())
  private service: any
  private readonly unsubscribes: (() => void)[] = []
  private sdk: any

  async start(): Promise<void> {
    await this.relay.start()
    if (!(globalThis as { WebSocket?: unknown }).WebSocket) (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket
    this.sdk = await import('@getalby/sdk/nwc')
    this.service = new this.sdk.NWCWalletService({ relayUrl: this.relay.url })
    await this.service.publishWalletServiceInfoEvent(this.walletSecret, ['make_invoice', 'pay_invoice', 'lookup_invoice', 'get_info'], [])
  }

  get walletPubkey(): string {
    return getPublicKey(Buffer.from(this.walletSecret, 'hex'))
  }

  /** A new NWC connection; returns its URI. */
  async connect(name: string, options: { balanceMsats?: number; behaviour?: PayBehaviour } = {}): Promise<string> {
    const clientSecret = bytesToHex(generateSecretKey())
    const uri = `nostr+walletconnect://${this.walletPubkey}?relay=${encodeURIComponent(this.relay.url)}&secret=${clientSecret}`
    const connection: Connection = { name, uri, balanceMsats: options.balanceMsats ?? 1e12, behaviour: options.behaviour ?? { kind: 'pay' }, lookups: true }
    this.connections.set(name, connection)
    const keypair = new this.sdk.NWCWalletServiceKeyPair(this.walletSecret, getPublicKey(Buffer.from(clientSecret, 'hex')))
    this.unsubscribes.push(
      await this.service.subscribe(keypair, {
        getInfo: async () => ({ result: { alias: 'fake', color: '#000', pubkey: this.walletPubkey, network: 'regtest', block_height: 1, block_hash: '00', methods: ['make_invoice', 'pay_invoice', 'lookup_invoice'] }, error: undefined }),
        makeInvoice: async (request: { amount: number; description?: string; expiry?: number }) => ({ result: this.makeInvoice(request), error: undefined }),
        lookupInvoice: async (request: { payment_hash?: string; invoice?: string }) => this.lookup(request),
        payInvoice: (request: { invoice: string }) => this.pay(connection, request.invoice),
      }),
    )
    await this.relay.waitForSubscription((f) => Boolean(f.kinds?.includes(23194) && f.authors?.includes(keypair.clientPubkey)))
    return uri
  }

  setBehaviour(name: string, behaviour: PayBehaviour): void {
    this.connections.get(name)!.behaviour = behaviour
  }

  balance(name: string): number {
    return this.connections.get(name)!.balanceMsats
  }

  /** Every bolt11 ever issued for a description containing `text`. */
  invoicesFor(text: string): LedgerInvoice[] {
    return [...this.ledger.values()].filter((i) => i.description.includes(text))
  }

  /** Someone pays a bolt11 from outside the wallet service (a manual payment from a phone wallet). */
  payExternally(invoice: string): void {
    const entry = [...this.ledger.values()].find((i) => i.invoice === invoice)
    if (!entry) throw new Error('unknown bolt11')
    if (entry.settledAt !== null) throw new Error('already paid')
    entry.settledAt = now()
    entry.payments++
  }

  async close(): Promise<void> {
    for (const unsubscribe of this.unsubscribes) unsubscribe()
    this.service?.close()
    await this.relay.close()
  }

  private makeInvoice(request: { amount: number; description?: string; expiry?: number }) {
    const preimage = randomBytes(32).toString('hex')
    const paymentHash = createHash('sha256').update(Buffer.from(preimage, 'hex')).digest('hex')
    const created = now()
    const entry: LedgerInvoice = {
      invoice: `lnbcrt${Math.ceil(request.amount / 1000)}n1${randomBytes(20).toString('hex')}`,
      paymentHash,
      preimage,
      amountMsats: request.amount,
      description: request.description ?? '',
      createdAt: created,
      expiresAt: created + (request.expiry ?? 3600),
      settledAt: null,
      payments: 0,
    }
    this.ledger.set(paymentHash, entry)
    return this.transaction(entry)
  }

  private transaction(entry: LedgerInvoice) {
    const state = entry.settledAt !== null ? 'settled' : now() > entry.expiresAt ? 'expired' : 'pending'
    return {
      type: 'incoming',
      state,
      invoice: entry.invoice,
      description: entry.description,
      description_hash: '',
      preimage: entry.settledAt !== null ? entry.preimage : '',
      payment_hash: entry.paymentHash,
      amount: entry.amountMsats,
      fees_paid: 0,
      created_at: entry.createdAt,
      expires_at: entry.expiresAt,
      settled_at: entry.settledAt ?? 0,
    }
  }

  private async lookup(request: { payment_hash?: string; invoice?: string }) {
    const entry = request.payment_hash ? this.ledger.get(request.payment_hash) : [...this.ledger.values()].find((i) => i.invoice === request.invoice)
    if (!entry) return { result: undefined, error: { code: 'NOT_FOUND', message: 'no such invoice' } }
    return { result: this.transaction(entry), error: undefined }
  }

  /** Expires a bolt11 at once (as time passing would). */
  expire(paymentHash: string): void {
    const entry = this.ledger.get(paymentHash)
    if (entry) entry.expiresAt = now() - 1
  }

  private settle(connection: Connection, invoice: string): { ok: true; preimage: string } | { ok: false; code: string; message: string } {
    const entry = [...this.ledger.values()].find((i) => i.invoice === invoice)
    if (!entry) return { ok: false, code: 'NOT_FOUND', message: 'unknown invoice' }
    if (entry.settledAt !== null) return { ok: false, code: 'PAYMENT_FAILED', message: 'invoice already paid' }
    if (now() > entry.expiresAt) return { ok: false, code: 'PAYMENT_FAILED', message: 'invoice expired' }
    if (connection.balanceMsats < entry.amountMsats) return { ok: false, code: 'INSUFFICIENT_BALANCE', message: 'not enough sats' }
    connection.balanceMsats -= entry.amountMsats
    entry.settledAt = now()
    entry.payments++
    return { ok: true, preimage: entry.preimage }
  }

  private async pay(connection: Connection, invoice: string) {
    const behaviour = connection.behaviour
    if (behaviour.kind === 'error') return { result: undefined, error: { code: behaviour.code, message: behaviour.message ?? `fake wallet says ${behaviour.code}` } }
    if (behaviour.kind === 'silent') {
      if (behaviour.pays) this.settle(connection, invoice)
      return new Promise<never>(() => {})
    }
    if (behaviour.kind === 'late') await new Promise((r) => setTimeout(r, behaviour.delayMs))
    const outcome = this.settle(connection, invoice)
    if (!outcome.ok) return { result: undefined, error: { code: outcome.code, message: outcome.message } }
    return { result: { preimage: outcome.preimage, fees_paid: 0 }, error: undefined }
  }
}
