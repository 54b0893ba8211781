// Environment → typed configuration. Every variable is declared once in CONFIG_VARS (name, default,
// meaning); the README's configuration table is generated from that list and a test keeps them equal.
// A bad value stops start-up with one line naming the variable.
import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'
import { decode as nip19Decode } from 'nostr-tools/nip19'
import { parsePubkey } from './nostr/pubkey.js'

export interface ConfigVar {
  name: string
  default: string
  description: string
}

export const CONFIG_VARS: ConfigVar[] = [
  { name: 'DATA_DIR', default: './data', description: 'Directory for the SQLite database, the robot key and the embedded engine data' },
  { name: 'DATABASE_URL', default: '`<DATA_DIR>/caravel.db`', description: 'SQLite database file (path or `file:` URL), or `postgres://user:pass@host:port/db` for PostgreSQL' },
  { name: 'SERVER_HOST', default: '127.0.0.1', description: 'Interface the API and dashboard listen on' },
  { name: 'SERVER_PORT', default: '2892', description: 'Port the API and dashboard listen on' },
  { name: 'SERVER_URL', default: '`http://localhost:<SERVER_PORT>`', description: 'Public origin of the API; NIP-98 `u` tags and the `Origin` of cookie-authenticated writes are checked against it' },
  { name: 'SERVER_ADMIN_PUBKEYS', default: '(none)', description: 'Operator admins, hex or npub, comma-separated (merged with `caravel admin add`)' },
  { name: 'SERVER_ALLOW_ORIGINS', default: '`SERVER_URL`', description: 'Origins allowed by CORS, comma-separated' },
  { name: 'APP_URL', default: '`SERVER_URL`', description: 'Public URL of the dashboard, used in links' },
  { name: 'NIP98_VERIFY_THREADS', default: '(CPU count, at most 4)', description: 'Worker threads that check NIP-98 signatures, so the event loop keeps serving meanwhile (at most 64); 0 checks them on the event loop' },
  { name: 'SESSION_TTL_SECONDS', default: '604800', description: 'Lifetime of a dashboard session (7 days)' },
  { name: 'RELAY_DOMAIN', default: 'localhost', description: 'Relays are served at `<subdomain>.<RELAY_DOMAIN>`' },
  { name: 'ENGINE_PORT', default: '3334', description: 'Port of the embedded relay engine (relay WebSockets and its management API)' },
  { name: 'ZOOID_API_URL', default: '(embedded engine)', description: 'Management API of an external zooid-compatible engine, or several named ones (`a=http://10.0.0.5:3334,b=http://10.0.0.6:3334`; names `a-z`, `0-9`, `-`, at most 32) that relays are spread over; unset runs the embedded engine on `ENGINE_PORT`' },
  { name: 'ENGINE_TIMEOUT_MS', default: '10000', description: 'How long a management API call to the engine may take before it counts as failed' },
  { name: 'STRIPE_SECRET_KEY', default: '(billing off)', description: 'Turns billing on: Stripe secret key (never logged)' },
  { name: 'STRIPE_WEBHOOK_SECRET', default: '(required with billing)', description: 'Webhook signing secret(s), comma-separated while rotating' },
  { name: 'STRIPE_PRICE_BASIC', default: '(required with billing)', description: 'Stripe price id of the Basic plan' },
  { name: 'STRIPE_PRICE_GROWTH', default: '(required with billing)', description: 'Stripe price id of the Growth plan' },
  { name: 'STRIPE_API_BASE', default: '(Stripe)', description: 'Another base URL for the Stripe client, e.g. a local test double' },
  { name: 'BILLING_GRACE_DAYS', default: '7', description: 'Days a tenant may stay past due before its paid relays are suspended (0 = at once)' },
  { name: 'LIVEKIT_URL', default: '(none)', description: 'LiveKit server URL handed to relays with LiveKit enabled' },
  { name: 'LIVEKIT_API_KEY', default: '(none)', description: 'LiveKit API key' },
  { name: 'LIVEKIT_API_SECRET', default: '(none)', description: 'LiveKit API secret (never logged)' },
  { name: 'BLOSSOM_S3_ENDPOINT', default: '(none)', description: 'S3 endpoint for Blossom media, handed to relays with Blossom enabled' },
  { name: 'BLOSSOM_S3_REGION', default: '(none)', description: 'S3 region' },
  { name: 'BLOSSOM_S3_BUCKET', default: '(none)', description: 'S3 bucket' },
  { name: 'BLOSSOM_S3_ACCESS_KEY', default: '(none)', description: 'S3 access key' },
  { name: 'BLOSSOM_S3_SECRET_KEY', default: '(none)', description: 'S3 secret key (never logged)' },
  { name: 'ROBOT_SECRET', default: '(generated into `<DATA_DIR>/robot.key`)', description: "The robot's Nostr secret key (hex or nsec); signs engine calls and keys at-rest encryption" },
  { name: 'ROBOT_NAME', default: 'Caravel', description: "The robot's profile name (kind 0)" },
  { name: 'ROBOT_DESCRIPTION', default: '(a short default)', description: "The robot's profile description" },
  { name: 'ROBOT_PICTURE', default: '(none)', description: "The robot's profile picture (http(s) URL)" },
  { name: 'ROBOT_OUTBOX_RELAYS', default: '(none)', description: "Relays the robot publishes its profile and lists to (its 10002), comma-separated ws(s) URLs" },
  { name: 'ROBOT_INDEXER_RELAYS', default: '(none)', description: "Relays where the robot looks up people's 10002/10050 lists and profiles (e.g. wss://purplepag.es)" },
  { name: 'ROBOT_MESSAGING_RELAYS', default: '(none)', description: "The robot's own DM inbox relays (its 10050)" },
  { name: 'ROBOT_WALLET', default: '(no Lightning)', description: "The operator's NIP-47 wallet-connect URI: issues and checks Lightning invoices (never logged)" },
  { name: 'BTC_PRICE_USD_OVERRIDE', default: '(live price)', description: 'A fixed BTC price in USD, instead of the price source (tests, or a pinned rate)' },
  { name: 'BTC_PRICE_URL', default: 'https://api.coinbase.com/v2/prices/BTC-USD/spot', description: 'Spot BTC/USD price source (JSON with `data.amount`, or a bare number)' },
  { name: 'SIGNER_RELAYS', default: 'wss://relay.nsec.app', description: 'Relays the dashboard offers NIP-46 remote signers (nostrconnect) for sign-in' },
  { name: 'LOG_LEVEL', default: 'info', description: 'pino log level: fatal, error, warn, info, debug, trace, silent' },
]

export interface Config {
  dataDir: string
  database: { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string }
  server: {
    host: string
    port: number
    /** Public origin without trailing slash, e.g. `http://localhost:2892`. */
    url: string
    adminPubkeys: string[]
    allowOrigins: string[]
  }
  appUrl: string
  /** Worker threads for NIP-98 signature checks; 0 = on the event loop. */
  nip98VerifyThreads: number
  sessionTtlSeconds: number
  relayDomain: string
  engine: {
    port: number
    /** Base URL of the first engine's management API (the only one unless ZOOID_API_URL names several). */
    apiUrl: string
    embedded: boolean
    timeoutMs: number
    /** Every engine relays may be placed on, in configured order: `embedded`, `default` (one bare URL), or named. */
    engines: EngineEndpoint[]
  }
  /** Undefined when billing is off (no STRIPE_SECRET_KEY). */
  stripe:
    | {
        secretKey: string
        webhookSecrets: string[]
        prices: { basic: string; growth: string }
        apiBase: URL | undefined
      }
    | undefined
  billingGraceDays: number
  livekit: { url: string; apiKey: string; apiSecret: string } | undefined
  blossomS3: { endpoint: string; region: string; bucket: string; accessKey: string; secretKey: string } | undefined
  robotSecret: string | undefined
  robot: {
    name: string
    description: string
    picture: string | undefined
    outboxRelays: string[]
    indexerRelays: string[]
    messagingRelays: string[]
  }
  /** The operator's NWC wallet URI; undefined = no Lightning. */
  robotWallet: string | undefined
  btcPrice: { overrideUsd: number | undefined; url: string }
  signerRelays: string[]
  logLevel: string
}

/** One relay engine the platform drives, by the name placements refer to. */
export interface EngineEndpoint {
  name: string
  /** Origin of its management API (no path, no credentials). */
  url: string
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`)
  }
}

type Env = Record<string, string | undefined>

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim()
  return value ? value : undefined
}

function port(env: Env, name: string, fallback: number): number {
  const raw = read(env, name)
  if (raw === undefined) return fallback
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) {
    throw new ConfigError(name, `must be a port number between 1 and 65535, got "${raw}"`)
  }
  return Number(raw)
}

function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = read(env, name)
  if (raw === undefined) return fallback
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new ConfigError(name, `must be a positive integer, got "${raw}"`)
  return Number(raw)
}

/** An http(s) origin: scheme, host and optional port; a trailing slash is tolerated, a path is not. */
function origin(name: string, raw: string): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new ConfigError(name, `must be an http(s) URL, got "${raw}"`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(name, 'must use http or https')
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username) {
    throw new ConfigError(name, 'must be an origin only (scheme, host and port), without path or query')
  }
  return url.origin
}

function hostname(name: string, raw: string): string {
  const value = raw.toLowerCase()
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(value)) {
    throw new ConfigError(name, `must be a DNS name such as relays.example.com, got "${raw}"`)
  }
  return value
}

function pubkeyList(name: string, raw: string | undefined): string[] {
  if (!raw) return []
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry, i) => {
      const parsed = parsePubkey(entry)
      if (!parsed.ok) {
        const what = parsed.code === 'nsec-not-allowed' ? 'a secret key (nsec), never put one here' : 'not a hex or npub pubkey'
        throw new ConfigError(name, `entry ${i + 1} is ${what}`)
      }
      return parsed.pubkey
    })
}

/**
 * `http://host:port` (one engine, named `default`) or `name=http://host:port,name2=…`: names are what relay
 * placements store, so they are short, URL-safe and unique, and one engine is not listed twice.
 */
export function engineList(name: string, raw: string): EngineEndpoint[] {
  const entries = raw.split(',').map((s) => s.trim()).filter(Boolean)
  if (entries.length === 0) throw new ConfigError(name, 'must be an engine URL or name=url entries')
  const engines = entries.map((entry, i) => {
    const named = /^([^=:/]*)=(.*)$/.exec(entry)
    if (!named) {
      if (entries.length > 1) throw new ConfigError(name, `entry ${i + 1} needs a name (name=url) when several engines are listed`)
      return { name: 'default', url: origin(name, entry) }
    }
    const engineName = named[1]!.trim()
    if (!/^[a-z0-9-]{1,32}$/.test(engineName)) {
      throw new ConfigError(name, `entry ${i + 1}: engine name "${engineName}" must be 1–32 characters of a-z, 0-9 and -`)
    }
    try {
      return { name: engineName, url: origin(name, named[2]!.trim()) }
    } catch (err) {
      throw new ConfigError(name, `entry ${i + 1} (${engineName}): ${(err as Error).message.slice(name.length + 2)}`)
    }
  })
  for (const [i, e] of engines.entries()) {
    const first = engines.findIndex((o) => o.name === e.name)
    if (first !== i) throw new ConfigError(name, `entry ${i + 1}: engine name "${e.name}" is used twice`)
    const sameUrl = engines.findIndex((o) => o.url === e.url)
    if (sameUrl !== i) throw new ConfigError(name, `entry ${i + 1}: ${e.url} is already listed as "${engines[sameUrl]!.name}"`)
  }
  return engines
}

function database(name: string, raw: string | undefined, dataDir: string): Config['database'] {
  if (!raw) return { kind: 'sqlite', path: resolve(dataDir, 'caravel.db') }
  if (/^postgres(ql)?:\/\//i.test(raw)) {
    try {
      const url = new URL(raw)
      if (!url.hostname && !url.searchParams.get('host')) throw new Error('no host')
    } catch {
      throw new ConfigError(name, 'must be a postgres://user:password@host:port/database URL')
    }
    return { kind: 'postgres', url: raw }
  }
  if (raw.startsWith('file:')) return { kind: 'sqlite', path: resolve(raw.slice(5).replace(/^\/\/(?=\/)/, '')) }
  if (/^[a-z]+:\/\//i.test(raw)) throw new ConfigError(name, `unsupported database URL scheme in "${raw.split(':')[0]}:"`)
  return { kind: 'sqlite', path: resolve(raw) }
}

export function loadConfig(env: Env = process.env): Config {
  const dataDir = resolve(read(env, 'DATA_DIR') ?? './data')
  const serverPort = port(env, 'SERVER_PORT', 2892)
  const serverUrl = origin('SERVER_URL', read(env, 'SERVER_URL') ?? `http://localhost:${serverPort}`)
  const allowOrigins = (read(env, 'SERVER_ALLOW_ORIGINS') ?? serverUrl)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((o) => origin('SERVER_ALLOW_ORIGINS', o))
  const robotSecretRaw = read(env, 'ROBOT_SECRET')
  let robotSecret: string | undefined
  if (robotSecretRaw !== undefined) {
    robotSecret = parseSecretKey(robotSecretRaw)
    if (!robotSecret) throw new ConfigError('ROBOT_SECRET', 'must be a 64-character hex secret key or an nsec')
  }
  const enginePort = port(env, 'ENGINE_PORT', 3334)
  const zooidRaw = read(env, 'ZOOID_API_URL')
  const engines = zooidRaw === undefined ? [{ name: 'embedded', url: `http://127.0.0.1:${enginePort}` }] : engineList('ZOOID_API_URL', zooidRaw)
  const logLevel = read(env, 'LOG_LEVEL') ?? 'info'
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `unknown level "${logLevel}"`)
  }
  return {
    dataDir,
    database: database('DATABASE_URL', read(env, 'DATABASE_URL'), dataDir),
    server: {
      host: read(env, 'SERVER_HOST') ?? '127.0.0.1',
      port: serverPort,
      url: serverUrl,
      adminPubkeys: pubkeyList('SERVER_ADMIN_PUBKEYS', read(env, 'SERVER_ADMIN_PUBKEYS')),
      allowOrigins,
    },
    appUrl: read(env, 'APP_URL') ? origin('APP_URL', read(env, 'APP_URL')!) : serverUrl,
    nip98VerifyThreads: verifyThreads(env),
    sessionTtlSeconds: positiveInt(env, 'SESSION_TTL_SECONDS', 7 * 24 * 3600),
    relayDomain: hostname('RELAY_DOMAIN', read(env, 'RELAY_DOMAIN') ?? 'localhost'),
    engine: {
      port: enginePort,
      apiUrl: engines[0]!.url,
      embedded: zooidRaw === undefined,
      timeoutMs: positiveInt(env, 'ENGINE_TIMEOUT_MS', 10_000),
      engines,
    },
    stripe: stripeConfig(env),
    billingGraceDays: nonNegativeInt(env, 'BILLING_GRACE_DAYS', 7, 'days'),
    livekit: group(env, ['LIVEKIT_URL', 'LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET'], ([url, apiKey, apiSecret]) => {
      origin('LIVEKIT_URL', url.replace(/^ws/, 'http'))
      return { url, apiKey, apiSecret }
    }),
    blossomS3: group(
      env,
      ['BLOSSOM_S3_ENDPOINT', 'BLOSSOM_S3_REGION', 'BLOSSOM_S3_BUCKET', 'BLOSSOM_S3_ACCESS_KEY', 'BLOSSOM_S3_SECRET_KEY'],
      ([endpoint, region, bucket, accessKey, secretKey]) => {
        origin('BLOSSOM_S3_ENDPOINT', endpoint)
        return { endpoint, region, bucket, accessKey, secretKey }
      },
    ),
    robotSecret,
    robot: {
      name: read(env, 'ROBOT_NAME') ?? 'Caravel',
      description: read(env, 'ROBOT_DESCRIPTION') ?? 'I run this Caravel relay host and send its notices.',
      picture: read(env, 'ROBOT_PICTURE') === undefined ? undefined : httpUrl('ROBOT_PICTURE', read(env, 'ROBOT_PICTURE')!),
      outboxRelays: relayList(env, 'ROBOT_OUTBOX_RELAYS'),
      indexerRelays: relayList(env, 'ROBOT_INDEXER_RELAYS'),
      messagingRelays: relayList(env, 'ROBOT_MESSAGING_RELAYS'),
    },
    robotWallet: walletUri(env),
    signerRelays: read(env, 'SIGNER_RELAYS') === undefined ? ['wss://relay.nsec.app/'] : relayList(env, 'SIGNER_RELAYS'),
    btcPrice: { overrideUsd: positiveNumber(env, 'BTC_PRICE_USD_OVERRIDE'), url: httpUrl('BTC_PRICE_URL', read(env, 'BTC_PRICE_URL') ?? 'https://api.coinbase.com/v2/prices/BTC-USD/spot') },
    logLevel,
  }
}

/** At most 64: each thread is a V8 isolate with its own verifier, and more than the cores gains nothing. */
function verifyThreads(env: Env): number {
  const threads = nonNegativeInt(env, 'NIP98_VERIFY_THREADS', Math.min(4, availableParallelism()))
  if (threads > 64) throw new ConfigError('NIP98_VERIFY_THREADS', `must be at most 64, got ${threads}`)
  return threads
}

function nonNegativeInt(env: Env, name: string, fallback: number, unit = ''): number {
  const raw = read(env, name)
  if (raw === undefined) return fallback
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number${unit ? ` of ${unit}` : ''} (0 or more), got "${raw}"`)
  return Number(raw)
}

function stripeConfig(env: Env): Config['stripe'] {
  const secretKey = read(env, 'STRIPE_SECRET_KEY')
  if (secretKey === undefined) return undefined
  if (!/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/.test(secretKey)) throw new ConfigError('STRIPE_SECRET_KEY', 'must be a Stripe secret key (sk_test_… or sk_live_…)')
  const required = (name: string) => {
    const value = read(env, name)
    if (value === undefined) throw new ConfigError(name, 'is required when STRIPE_SECRET_KEY is set')
    return value
  }
  const webhookSecrets = required('STRIPE_WEBHOOK_SECRET')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  if (webhookSecrets.some((s) => !s.startsWith('whsec_'))) throw new ConfigError('STRIPE_WEBHOOK_SECRET', 'each secret must start with whsec_')
  const price = (name: string) => {
    const value = required(name)
    if (!/^price_[A-Za-z0-9_]+$/.test(value)) throw new ConfigError(name, 'must be a Stripe price id (price_…)')
    return value
  }
  const base = read(env, 'STRIPE_API_BASE')
  let apiBase: URL | undefined
  if (base !== undefined) apiBase = new URL(origin('STRIPE_API_BASE', base))
  return { secretKey, webhookSecrets, prices: { basic: price('STRIPE_PRICE_BASIC'), growth: price('STRIPE_PRICE_GROWTH') }, apiBase }
}

function httpUrl(name: string, raw: string): string {
  try {
    const url = new URL(raw)
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.toString()
  } catch {
    // reported below
  }
  throw new ConfigError(name, `must be an http(s) URL, got "${raw}"`)
}

function relayList(env: Env, name: string): string[] {
  const raw = read(env, name)
  if (!raw) return []
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry, i) => {
      try {
        const url = new URL(entry)
        if (url.protocol === 'ws:' || url.protocol === 'wss:') return url.toString()
      } catch {
        // reported below
      }
      throw new ConfigError(name, `entry ${i + 1} must be a ws:// or wss:// relay URL`)
    })
}

function positiveNumber(env: Env, name: string): number | undefined {
  const raw = read(env, name)
  if (raw === undefined) return undefined
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError(name, `must be a positive number, got "${raw}"`)
  return value
}

function walletUri(env: Env): string | undefined {
  const raw = read(env, 'ROBOT_WALLET')
  if (raw === undefined) return undefined
  // Checked for shape only here (never echoed: it holds a secret); the NWC client validates it fully.
  if (!/^nostr\+walletconnect:\/\/[0-9a-fA-F]{64}\?.*secret=[0-9a-fA-F]{64}/.test(raw) || !/[?&]relay=/.test(raw)) {
    throw new ConfigError('ROBOT_WALLET', 'must be a nostr+walletconnect:// URI with a relay and a secret')
  }
  return raw
}

/** A set of variables that only make sense together: all set, or none (undefined). */
function group<T>(env: Env, names: string[], build: (values: string[]) => T): T | undefined {
  const values = names.map((n) => read(env, n))
  if (values.every((v) => v === undefined)) return undefined
  const missing = names.find((_, i) => values[i] === undefined)
  if (missing) throw new ConfigError(missing, `must be set together with ${names.filter((n) => n !== missing).join(', ')}`)
  return build(values as string[])
}

/** Hex or nsec secret key → lowercase hex, or undefined when invalid. */
export function parseSecretKey(raw: string): string | undefined {
  const value = raw.trim()
  if (/^[0-9a-fA-F]{64}$/.test(value)) return value.toLowerCase()
  if (value.startsWith('nsec1')) {
    try {
      const bytes = nsecDecode(value)
      return bytes ? Buffer.from(bytes).toString('hex') : undefined
    } catch {
      return undefined
    }
  }
  return undefined
}

function nsecDecode(value: string): Uint8Array | undefined {
  const decoded = nip19Decode(value as `nsec1${string}`)
  return decoded.type === 'nsec' ? decoded.data : undefined
}

/** The engine's own variables (`caravel engine` alone), for the README. */
export function engineTableMarkdown(vars: readonly { name: string; zooid: string; default: string; description: string }[]): string {
  const rows = vars.map((v) => `| \`${v.name}\` | ${v.zooid ? `\`${v.zooid}\`` : '—'} | ${v.default || '(empty)'} | ${v.description} |`)
  return ['| Variable | zooid name | Default | Meaning |', '|---|---|---|---|', ...rows].join('\n')
}

/** The configuration table in README.md, generated from CONFIG_VARS. */
export function configTableMarkdown(extra: ConfigVar[] = []): string {
  const rows = [...CONFIG_VARS, ...extra].map((v) => `| \`${v.name}\` | ${v.default} | ${v.description} |`)
  return ['| Variable | Default | Meaning |', '|---|---|---|', ...rows].join('\n')
}
