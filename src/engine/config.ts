// Engine environment (engine.md §2.3). zooid's names are read when the ENGINE_ ones are unset, so a zooid
// deployment's environment works unchanged. The definitions are data, for the README's config table.
import path from 'node:path'

export interface EngineVariable {
  name: string
  /** zooid's name for the same setting, read when `name` is unset or empty. */
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
]

export interface EngineConfig {
  port: number
  apiHost: string
  apiWhitelist: string[]
  dataDir: string
}

const read = (env: NodeJS.ProcessEnv, v: EngineVariable): { name: string; value: string } | undefined => {
  const own = env[v.name]?.trim()
  if (own) return { name: v.name, value: own }
  const zooid = env[v.zooid]?.trim()
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
  return { port, apiHost, apiWhitelist, dataDir }
}
