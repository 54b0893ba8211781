// A real `caravel serve` with billing on, pointed at the local Stripe double, which delivers signed webhooks to it.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino, type Logger } from 'pino'
import { loadConfig } from '../../src/config.js'
import { nip98Header } from '../../src/nostr/nip98.js'
import { startServer, type RunningServer, type ServerOptions } from '../../src/server.js'
import { keys, sign, type Keys } from '../engine/helpers.js'
import { freePort } from '../helpers/ports.js'
import { testDatabaseEnv } from '../helpers/test-database.js'
import { StripeDouble } from '../helpers/stripe-double.js'

export interface BillingWorld {
  server: RunningServer
  stripe: StripeDouble
  base: string
  dataDir: string
  tenant(): Keys
  api(who: Keys, method: string, path: string, body?: unknown): Promise<any>
  /** Waits until Stripe, webhooks, billing and relay sync are all quiet. */
  settle(): Promise<void>
  close(): Promise<void>
}

export async function billingWorld(env: Record<string, string> = {}, options: ServerOptions & { log?: Logger } = {}): Promise<BillingWorld> {
  const stripe = new StripeDouble()
  await stripe.start()
  const dataDir = mkdtempSync(join(tmpdir(), 'caravel-billing-'))
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const config = loadConfig({
    DATA_DIR: dataDir,
    SERVER_PORT: String(port),
    SERVER_URL: base,
    ENGINE_PORT: String(await freePort()),
    ...(await testDatabaseEnv()),
    STRIPE_SECRET_KEY: 'sk_test_double',
    STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
    STRIPE_PRICE_BASIC: 'price_basic',
    STRIPE_PRICE_GROWTH: 'price_growth',
    STRIPE_API_BASE: stripe.url,
    ...env,
  })
  const server = await startServer(config, options.log ?? pino({ level: 'silent' }), options)
  stripe.webhookUrl = `${base}/api/stripe/webhook`
  stripe.autoDeliver = true
  const settle = async () => {
    for (let i = 0; i < 4; i++) {
      await stripe.idle()
      await server.billing!.idle()
      await server.relaySync.idle()
    }
  }
  return {
    server,
    stripe,
    base,
    dataDir,
    tenant: () => keys(),
    settle,
    api: async (who, method, path, body) => {
      const raw = body === undefined ? undefined : JSON.stringify(body)
      const headers: Record<string, string> = { authorization: nip98Header((t) => sign(who, t), { url: base + path, method, body: raw }) }
      if (raw) headers['content-type'] = 'application/json'
      const res = await fetch(base + path, { method, headers, body: raw })
      return { status: res.status, ...((await res.json()) as object) }
    },
    close: async () => {
      await server.close()
      await stripe.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
