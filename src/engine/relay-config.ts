// The relay config object (engine.md §3): decoding with defaults, validation with zooid's messages, and the
// PATCH deep-merge of §4.2. Unknown keys are dropped so newer zooid fields never break a request.
import { getPublicKey } from 'nostr-tools/pure'

export interface RoleConfig {
  pubkeys: string[]
  can_invite: boolean
  can_manage: boolean
}

export interface RelayConfig {
  host: string
  schema: string
  secret: string
  inactive: boolean
  info: { name: string; icon: string; description: string; pubkey: string }
  policy: {
    public_join: boolean
    strip_signatures: boolean
    /** Caravel: most members besides the configured ones; null = unlimited. */
    max_members: number | null
    /** Caravel: kinds others may deliver to members without auth (write step 5); see docs/engine.md. */
    exempt_kinds: number[]
  }
  groups: { enabled: boolean }
  management: { enabled: boolean }
  blossom: { enabled: boolean }
  push: { enabled: boolean }
  livekit: { server_url: string; api_key: string; api_secret: string }
  roles: Record<string, RoleConfig>
}

export class ConfigError extends Error {}

/** Gift wraps, zap receipts, NWC info/request/response and NIP-46 requests. */
export const DEFAULT_EXEMPT_KINDS: readonly number[] = [1059, 9735, 13194, 23194, 23195, 24133]
export const MAX_EXEMPT_KINDS = 64

const HEX64 = /^[0-9a-f]{64}$/
const SCHEMA_RE = /^[a-z][a-z0-9_]*$/
const HOST_RE = /^[a-z0-9._-]+(:[0-9]{1,5})?$/
const CURVE_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n

export const isHex64 = (v: unknown): v is string => typeof v === 'string' && HEX64.test(v)

/** Whether `secret` is 64 lower-case hex and a valid secp256k1 secret key. */
export function isValidSecret(secret: unknown): secret is string {
  if (!isHex64(secret)) return false
  const k = BigInt('0x' + secret)
  return k > 0n && k < CURVE_ORDER
}

export function stripPort(host: string): string {
  const i = host.lastIndexOf(':')
  return i >= 0 && /^:\d+$/.test(host.slice(i)) ? host.slice(0, i) : host
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

function section(root: Obj, key: string): Obj {
  const v = root[key]
  if (v === undefined || v === null) return {}
  if (!isObj(v)) throw new ConfigError(`invalid json: ${key} must be an object`)
  return v
}

function str(o: Obj, key: string, where: string): string {
  const v = o[key]
  if (v === undefined || v === null) return ''
  if (typeof v !== 'string') throw new ConfigError(`invalid json: ${where} must be a string`)
  return v
}

function bool(o: Obj, key: string, where: string): boolean {
  const v = o[key]
  if (v === undefined || v === null) return false
  if (typeof v !== 'boolean') throw new ConfigError(`invalid json: ${where} must be a boolean`)
  return v
}

function memberLimit(policy: Obj): number | null {
  const v = policy.max_members
  if (v === undefined || v === null) return null
  if (typeof v !== 'number') throw new ConfigError('invalid json: policy.max_members must be a number')
  if (!Number.isSafeInteger(v) || v < 0) throw new ConfigError('policy.max_members must be a whole number of 0 or more')
  return v
}

function exemptKinds(policy: Obj): number[] {
  const v = policy.exempt_kinds
  if (v === undefined || v === null) return [...DEFAULT_EXEMPT_KINDS]
  if (!Array.isArray(v)) throw new ConfigError('invalid json: policy.exempt_kinds must be an array')
  if (v.length > MAX_EXEMPT_KINDS) throw new ConfigError(`policy.exempt_kinds has more than ${MAX_EXEMPT_KINDS} kinds`)
  if (!v.every((k) => Number.isInteger(k) && k >= 0 && k <= 65535)) {
    throw new ConfigError('policy.exempt_kinds must contain whole numbers from 0 to 65535')
  }
  if (new Set(v).size !== v.length) throw new ConfigError('policy.exempt_kinds contains a kind twice')
  return v as number[]
}

/**
 * Decodes and validates a full config. `apiHost` (lower-cased) is reserved: a relay may not claim it.
 * Throws ConfigError with the exact 400 message.
 */
export function decodeRelayConfig(input: unknown, apiHost = ''): RelayConfig {
  if (!isObj(input)) throw new ConfigError('invalid json: expected a JSON object')
  const info = section(input, 'info')
  const policy = section(input, 'policy')
  const groups = section(input, 'groups')
  const management = section(input, 'management')
  const blossom = section(input, 'blossom')
  const push = section(input, 'push')
  const livekit = section(input, 'livekit')
  const rolesIn = section(input, 'roles')

  const host = str(input, 'host', 'host').toLowerCase()
  if (!host) throw new ConfigError('host is required')
  if (!HOST_RE.test(host) || stripPort(host) === '' || (apiHost && (host === apiHost || host === stripPort(apiHost)))) {
    throw new ConfigError('host is invalid')
  }
  const schema = str(input, 'schema', 'schema')
  if (!schema) throw new ConfigError('schema is required')
  if (!SCHEMA_RE.test(schema)) throw new ConfigError('schema must match ^[a-z][a-z0-9_]*$')
  const secret = str(input, 'secret', 'secret')
  if (!secret) throw new ConfigError('secret is required')
  if (!isValidSecret(secret)) throw new ConfigError('secret is invalid')
  const owner = str(info, 'pubkey', 'info.pubkey')
  if (!owner) throw new ConfigError('info.pubkey is required')
  if (!isHex64(owner)) throw new ConfigError('info.pubkey is invalid')

  const roles: Record<string, RoleConfig> = {}
  for (const [name, raw] of Object.entries(rolesIn)) {
    if (name.length < 1 || name.length > 64) throw new ConfigError('role name is invalid')
    if (raw === null) continue
    if (!isObj(raw)) throw new ConfigError(`invalid json: roles.${name} must be an object`)
    const pk = raw.pubkeys ?? []
    if (!Array.isArray(pk)) throw new ConfigError(`invalid json: roles.${name}.pubkeys must be an array`)
    if (!pk.every(isHex64)) throw new ConfigError(`roles.${name}.pubkeys contains an invalid pubkey`)
    const role: RoleConfig = {
      pubkeys: [...new Set(pk as string[])],
      can_invite: bool(raw, 'can_invite', `roles.${name}.can_invite`),
      can_manage: bool(raw, 'can_manage', `roles.${name}.can_manage`),
    }
    if (name === 'member' && role.can_manage) throw new ConfigError('roles.member.can_manage is not allowed')
    roles[name] = role
  }

  return {
    host,
    schema,
    secret,
    inactive: bool(input, 'inactive', 'inactive'),
    info: {
      name: str(info, 'name', 'info.name'),
      icon: str(info, 'icon', 'info.icon'),
      description: str(info, 'description', 'info.description'),
      pubkey: owner,
    },
    policy: {
      public_join: bool(policy, 'public_join', 'policy.public_join'),
      strip_signatures: bool(policy, 'strip_signatures', 'policy.strip_signatures'),
      max_members: memberLimit(policy),
      exempt_kinds: exemptKinds(policy),
    },
    groups: { enabled: bool(groups, 'enabled', 'groups.enabled') },
    management: { enabled: bool(management, 'enabled', 'management.enabled') },
    blossom: { enabled: bool(blossom, 'enabled', 'blossom.enabled') },
    push: { enabled: bool(push, 'enabled', 'push.enabled') },
    livekit: {
      server_url: str(livekit, 'server_url', 'livekit.server_url'),
      api_key: str(livekit, 'api_key', 'livekit.api_key'),
      api_secret: str(livekit, 'api_secret', 'livekit.api_secret'),
    },
    roles,
  }
}

/** A config read back from the catalog: fields added since it was stored take their defaults. */
export function storedRelayConfig(stored: RelayConfig): RelayConfig {
  const policy: Partial<RelayConfig['policy']> = stored.policy
  return {
    ...stored,
    policy: { ...stored.policy, max_members: policy.max_members ?? null, exempt_kinds: policy.exempt_kinds ?? [...DEFAULT_EXEMPT_KINDS] },
  }
}

/** The stored config as a plain JSON object with every field present (the base of a PATCH merge). */
export function renderRelayConfig(config: RelayConfig): Obj {
  return JSON.parse(JSON.stringify(config)) as Obj
}

/** §4.2: objects merge recursively, `null` removes the key, anything else replaces. */
export function mergePatch(base: Obj, patch: Obj): Obj {
  const out: Obj = { ...base }
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key]
    else if (isObj(value) && isObj(out[key])) out[key] = mergePatch(out[key] as Obj, value)
    else out[key] = value
  }
  return out
}

/** Rejects changes to immutable fields (same value is fine). */
export function checkImmutable(previous: RelayConfig, next: RelayConfig): void {
  if (previous.schema !== next.schema) throw new ConfigError('schema cannot be changed')
  if (previous.secret !== next.secret) throw new ConfigError('secret cannot be changed')
}

export const selfPubkey = (config: RelayConfig): string => getPublicKey(hexToBytes(config.secret))

export function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'))
}

/** Self, owner and every role's pubkeys: always members, never bannable (§4.3). */
export function configuredMembers(config: RelayConfig, self: string): Set<string> {
  const set = new Set<string>([self, config.info.pubkey])
  for (const role of Object.values(config.roles)) for (const pk of role.pubkeys) set.add(pk)
  return set
}
