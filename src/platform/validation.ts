// Rules for what tenants type: subdomains, text fields, URLs, plan-gated toggles.
import { DomainError } from './errors.js'
import type { Plan } from './plans.js'

export const RESERVED_SUBDOMAINS = new Set([
  'www', 'api', 'admin', 'app', 'mail', 'relay', 'relays', 'smtp', 'imap', 'pop', 'ftp', 'ns1', 'ns2', 'dns',
  'blog', 'docs', 'help', 'support', 'status', 'billing', 'dashboard', 'static', 'assets', 'cdn', 'media',
  'auth', 'login', 'signin', 'signup', 'account', 'accounts', 'root', 'caravel', 'nostr', 'zooid', 'engine',
  'test', 'localhost', 'webmail', 'postmaster', 'hostmaster', 'abuse', 'security', 'internal', 'system',
])

export const LIMITS = {
  info_name: 64,
  info_icon: 2048,
  info_description: 2000,
}

/** Returns a reason code when the subdomain cannot be used, or undefined when it is well-formed. */
export function subdomainProblem(subdomain: string): DomainError | undefined {
  if (subdomain.length < 3 || subdomain.length > 63) {
    return new DomainError(422, 'invalid-subdomain', 'subdomain must be 3 to 63 characters long')
  }
  if (!/^[a-z0-9-]+$/.test(subdomain)) {
    return new DomainError(422, 'invalid-subdomain', 'subdomain may only contain lowercase letters, digits and hyphens')
  }
  if (!/^[a-z]/.test(subdomain)) return new DomainError(422, 'invalid-subdomain', 'subdomain must start with a letter')
  if (subdomain.endsWith('-')) return new DomainError(422, 'invalid-subdomain', 'subdomain must not end with a hyphen')
  if (subdomain.includes('--')) return new DomainError(422, 'invalid-subdomain', 'subdomain must not contain two hyphens in a row')
  if (RESERVED_SUBDOMAINS.has(subdomain)) return new DomainError(422, 'subdomain-reserved', `"${subdomain}" is reserved`)
  return undefined
}

export function assertHttpUrl(field: string, value: string): void {
  if (value === '') return
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new DomainError(422, 'invalid-url', `${field} must be an http(s) URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DomainError(422, 'invalid-url', `${field} must be an http(s) URL`)
  }
}

export interface Toggles {
  blossom_enabled?: boolean
  livekit_enabled?: boolean
}

export function assertPlanAllows(plan: Plan, toggles: Toggles): void {
  if (toggles.blossom_enabled && !plan.blossom) {
    throw new DomainError(422, 'plan-lacks-feature', `the ${plan.name} plan does not include Blossom media`)
  }
  if (toggles.livekit_enabled && !plan.livekit) {
    throw new DomainError(422, 'plan-lacks-feature', `the ${plan.name} plan does not include LiveKit`)
  }
}

/**
 * What a private relay lets through without the sender's authentication, when addressed to (or sent by) a
 * member: gift wraps, zap receipts, Nostr Wallet Connect and NIP-46 remote signing. The engine's default too.
 */
export const DEFAULT_EXEMPT_KINDS: readonly number[] = [1059, 9735, 13194, 23194, 23195, 24133]
export const MAX_EXEMPT_KINDS = 64

/** Checks a tenant's exempt-kinds list; answers it sorted and without repeats. */
export function normalizeExemptKinds(kinds: readonly number[]): number[] {
  const bad = kinds.find((k) => !Number.isInteger(k) || k < 0 || k > 65535)
  if (bad !== undefined) throw new DomainError(400, 'invalid-exempt-kinds', `${bad} is not an event kind (a whole number from 0 to 65535)`)
  const unique = [...new Set(kinds)].sort((a, b) => a - b)
  if (unique.length > MAX_EXEMPT_KINDS) throw new DomainError(400, 'invalid-exempt-kinds', `at most ${MAX_EXEMPT_KINDS} exempt kinds`)
  return unique
}

/** The stored column (JSON or null) as the list in force. */
export function exemptKindsOf(stored: string | null): number[] {
  if (stored === null) return [...DEFAULT_EXEMPT_KINDS]
  return JSON.parse(stored) as number[]
}
