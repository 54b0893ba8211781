// Nostr Wallet Connect (NIP-47) through @getalby/sdk's NWCClient: the operator's wallet makes and looks up
// invoices, a tenant's wallet pays them. The SDK reads `globalThis.WebSocket` when it loads, and Node 20 has
// none, so `ws` is installed there first and the SDK is imported lazily.
import { createHash } from 'node:crypto'
import WebSocket from 'ws'

/** NIP-47 error codes; anything else reads as OTHER (with the wallet's own text kept). */
export const NWC_ERROR_CODES = [
  'RATE_LIMITED',
  'NOT_IMPLEMENTED',
  'INSUFFICIENT_BALANCE',
  'QUOTA_EXCEEDED',
  'RESTRICTED',
  'UNAUTHORIZED',
  'INTERNAL',
  'UNSUPPORTED_ENCRYPTION',
  'PAYMENT_FAILED',
  'NOT_FOUND',
  'OTHER',
] as const
export type NwcErrorCode = (typeof NWC_ERROR_CODES)[number]

/** Worth retrying with backoff; every other code stops auto-pay until something changes. */
export const RETRYABLE_NWC_CODES = new Set<NwcErrorCode>(['RATE_LIMITED', 'INTERNAL'])

/** The wallet answered with an error: the request did not happen. */
export class NwcError extends Error {
  constructor(
    readonly code: NwcErrorCode,
    message: string,
  ) {
    super(message)
  }
}

/** No answer in time (or the request could not be confirmed sent): the outcome is unknown, not failed. */
export class NwcTimeout extends Error {}

export interface MadeInvoice {
  invoice: string
  paymentHash: string
  expiresAt: number
}

export interface LookedUpInvoice {
  state: 'pending' | 'settled' | 'expired' | 'failed' | 'accepted'
  preimage?: string
  settledAt?: number
}

/** The wallet operations billing needs; the SDK-backed implementation is below. */
export interface LightningWallet {
  makeInvoice(request: { amountMsats: number; description: string; expirySeconds: number }): Promise<MadeInvoice>
  payInvoice(invoice: string, timeoutMs: number): Promise<{ preimage: string }>
  lookupInvoice(request: { paymentHash: string }, timeoutMs: number): Promise<LookedUpInvoice>
  close(): void
}

type Sdk = typeof import('@getalby/sdk/nwc')
let sdk: Promise<Sdk> | undefined

function loadSdk(): Promise<Sdk> {
  if (!(globalThis as { WebSocket?: unknown }).WebSocket) (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket
  sdk ??= import('@getalby/sdk/nwc')
  return sdk
}

export function preimageMatches(preimage: string, paymentHash: string): boolean {
  return /^[0-9a-f]{64}$/i.test(preimage) && createHash('sha256').update(Buffer.from(preimage, 'hex')).digest('hex') === paymentHash.toLowerCase()
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NwcTimeout(`${what}: no answer from the wallet within ${ms} ms`)), ms)
  })
  // The SDK's own request keeps running until its reply timeout; its late outcome is ignored.
  promise.catch(() => undefined)
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

function mapError(err: unknown, sdkModule: Sdk, what: string): Error {
  if (err instanceof NwcTimeout) return err
  if (err instanceof sdkModule.Nip47WalletError) {
    const code = (NWC_ERROR_CODES as readonly string[]).includes(err.code) ? (err.code as NwcErrorCode) : 'OTHER'
    return new NwcError(code, code === 'OTHER' && err.code ? `${err.code}: ${err.message}` : err.message)
  }
  // Timeouts, publish failures, undecodable replies: we cannot know whether the wallet acted.
  return new NwcTimeout(`${what}: ${(err as Error).message}`)
}

export class NwcWallet implements LightningWallet {
  private constructor(
    private readonly client: InstanceType<Sdk['NWCClient']>,
    private readonly sdkModule: Sdk,
  ) {}

  static async connect(uri: string): Promise<NwcWallet> {
    const module = await loadSdk()
    return new NwcWallet(new module.NWCClient({ nostrWalletConnectUrl: uri }), module)
  }

  private async call<T>(what: string, timeoutMs: number, run: () => Promise<T>): Promise<T> {
    try {
      return await withTimeout(run(), timeoutMs, what)
    } catch (err) {
      throw mapError(err, this.sdkModule, what)
    }
  }

  async makeInvoice(request: { amountMsats: number; description: string; expirySeconds: number }): Promise<MadeInvoice> {
    const tx = await this.call('make_invoice', 30_000, () =>
      this.client.makeInvoice({ amount: request.amountMsats, description: request.description, expiry: request.expirySeconds }),
    )
    return { invoice: tx.invoice, paymentHash: tx.payment_hash, expiresAt: tx.expires_at }
  }

  async payInvoice(invoice: string, timeoutMs: number): Promise<{ preimage: string }> {
    const result = await this.call('pay_invoice', timeoutMs, () => this.client.payInvoice({ invoice }))
    return { preimage: result.preimage }
  }

  async lookupInvoice(request: { paymentHash: string }, timeoutMs: number): Promise<LookedUpInvoice> {
    const tx = await this.call('lookup_invoice', timeoutMs, () => this.client.lookupInvoice({ payment_hash: request.paymentHash }))
    return { state: tx.state, preimage: tx.preimage || undefined, settledAt: tx.settled_at || undefined }
  }

  close(): void {
    this.client.close()
  }
}
