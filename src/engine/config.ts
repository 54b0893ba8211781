// Engine environment (engine.md §2.3). zooid's names are read when the ENGINE_ ones are unset, so a zooid
// deployment's environment works unchanged. The definitions are data, for the README's config table.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

export interface EngineVariable {
  name: string
  /** zooid's name for the same setting, read when `name` is unset or empty; '' when zooid has none. */
  zooid: string
  default: string
  description: string
}

export const ENGINE_VARIABLES: readonly EngineVariable[] = [
  { name: 'ENGINE_PORT', zooid: 'PORT', default: '3334', description: 'Listen port (all interfaces) for relays and the management API.' },
  {
    name: 'ENGINE_API_HOST',
    zooid: 'API_HOST',
    default: 'embedded: 127.0.0.1:<ENGINE_PORT>; standalone: empty',
    description: 'Host (Host header, optional :port) serving the management API; the API is off when empty.',
  },
  {
    name: 'ENGINE_API_WHITELIST',
    zooid: 'API_WHITELIST',
    default: '',
    description: 'Comma-separated 64-hex pubkeys allowed to call the management API; an invalid entry aborts start-up.',
  },
  { name: 'ENGINE_DATA_DIR', zooid: 'DATA', default: './data', description: 'Directory of the catalog and the per-relay databases.' },
  {
    name: 'ENGINE_MAX_OPEN_RELAYS',
    zooid: '',
    default: 'open-files limit / 6, between 8 and 2000 (2000 if the limit is unknown)',
    description: 'Most relay databases kept open (3 file descriptors each); least recently used idle ones are closed beyond it.',
  },
]

export interface EngineConfig {
  port: number
  apiHost: string
  apiWhitelist: string[]
  dataDir: string
  maxOpenRelays: number
}

const read = (env: NodeJS.ProcessEnv, v: EngineVariable): { name: string; value: string } | undefined => {
  const own = env[v.name]?.trim()
  if (own) return { name: v.name, value: own }
  const zooid = v.zooid === '' ? undefined : env[v.zooid]?.trim()
  if (zooid) return { name: v.zooid, value: zooid }
  return undefined
}

export function parsePort(value: string, name: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw new Error(`${name} must be a port number (0-65535), got "${value}"`)
  return Number(value)
}

export function parseWhitelist(value: string, name: string): string[] {
  const out: string[] = []
  for (const raw of value.split(',')) {
    const entry = raw.trim()
    if (entry === '') continue
    if (!/^[0-9a-f]{64}$/.test(entry)) throw new Error(`${name} contains an invalid pubkey "${entry.slice(0, 80)}" (expected 64 lower-case hex)`)
    out.push(entry)
  }
  return out
}

export function parseApiHost(value: string, name: string): string {
  const host = value.trim().toLowerCase()
  if (host !== '' && !/^[a-z0-9._-]+(:[0-9]{1,5})?$/.test(host)) throw new Error(`${name} must be host[:port], got "${value}"`)
  return host
}

/** Each open relay store holds 3 descriptors; half the limit is left for sockets, the catalog and the rest. */
const FDS_PER_STORE = 3
export const MAX_OPEN_RELAYS_CAP = 2000
const MIN_OPEN_RELAYS = 8

export function parseMaxOpenRelays(value: string, name: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(value)) throw new Error(`${name} must be a positive whole number of relays, got "${value.slice(0, 80)}"`)
  return Number(value)
}

/** The soft open-files limit (RLIMIT_NOFILE) of this process; undefined when unlimited or unreadable. */
export function openFilesLimit(): number | undefined {
  try {
    const line = fs.readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'))
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0]
    if (soft !== undefined) return /^\d+$/.test(soft) ? Number(soft) : undefined
  } catch {
    // not Linux: ask the shell, which inherits our limits
  }
  if (process.platform === 'win32') return undefined
  try {
    const out = execFileSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    return /^\d+$/.test(out) ? Number(out) : undefined
  } catch {
    return undefined
  }
}

/** Default maximum of open relay stores: a sixth of the open-files limit, between 8 and 2000. */
export function defaultMaxOpenRelays(limit: number | undefined = openFilesLimit()): number {
  if (limit === undefined) return MAX_OPEN_RELAYS_CAP
  return Math.min(MAX_OPEN_RELAYS_CAP, Math.max(MIN_OPEN_RELAYS, Math.floor(limit / 2 / FDS_PER_STORE)))
}

/** ENGINE_MAX_OPEN_RELAYS, or the default derived from the open-files limit. Throws one line for a bad value. */
export function readMaxOpenRelays(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.ENGINE_MAX_OPEN_RELAYS?.trim()
  return value ? parseMaxOpenRelays(value, 'ENGINE_MAX_OPEN_RELAYS') : defaultMaxOpenRelays()
}

/**
 * Reads the engine's configuration. `embedded` gives ENGINE_API_HOST its embedded default (127.0.0.1:<port>);
 * standalone it defaults to empty (API off). A bad value throws an Error naming the variable in one line.
 */
export function readEngineConfig(env: NodeJS.ProcessEnv = process.env, mode: 'embedded' | 'standalone' = 'standalone'): EngineConfig {
  const [portVar, apiHostVar, whitelistVar, dataVar] = ENGINE_VARIABLES as [EngineVariable, EngineVariable, EngineVariable, EngineVariable]
  const portIn = read(env, portVar)
  const port = portIn ? parsePort(portIn.value, portIn.name) : 3334
  const apiHostIn = read(env, apiHostVar)
  const apiHost = apiHostIn ? parseApiHost(apiHostIn.value, apiHostIn.name) : mode === 'embedded' ? `127.0.0.1:${port}` : ''
  const whitelistIn = read(env, whitelistVar)
  const apiWhitelist = whitelistIn ? parseWhitelist(whitelistIn.value, whitelistIn.name) : []
  const dataIn = read(env, dataVar)
  const dataDir = path.resolve(dataIn ? dataIn.value : './data')
  return { port, apiHost, apiWhitelist, dataDir, maxOpenRelays: readMaxOpenRelays(env) }
}
