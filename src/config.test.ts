import { availableParallelism } from 'node:os'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ConfigError, configTableMarkdown, engineTableMarkdown, loadConfig } from './config.js'
import { ENGINE_VARIABLES } from './engine/config.js'

function problem(env: Record<string, string>): string {
  try {
    loadConfig(env)
  } catch (err) {
    if (err instanceof ConfigError) return err.message
    throw err
  }
  return 'no error'
}

describe('config', () => {
  it('has embedded defaults for everything', () => {
    const config = loadConfig({})
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 2892, url: 'http://localhost:2892', adminPubkeys: [] })
    expect(config.server.allowOrigins).toEqual(['http://localhost:2892'])
    expect(config.relayDomain).toBe('localhost')
    expect(config.engine).toEqual({
      port: 3334,
      apiUrl: 'http://127.0.0.1:3334',
      embedded: true,
      timeoutMs: 10000,
      engines: [{ name: 'embedded', url: 'http://127.0.0.1:3334' }],
    })
    expect(config.livekit).toBeUndefined()
    expect(config.blossomS3).toBeUndefined()
    expect(config.database.kind).toBe('sqlite')
    expect(config.database.kind === 'sqlite' && config.database.path.endsWith('/data/caravel.db')).toBe(true)
    expect(loadConfig({ DATABASE_URL: 'postgres://caravel:pw@db.internal:5432/caravel' }).database).toEqual({
      kind: 'postgres',
      url: 'postgres://caravel:pw@db.internal:5432/caravel',
    })
    expect(config.sessionTtlSeconds).toBe(604800)
    expect(config.nip98VerifyThreads).toBe(Math.min(4, availableParallelism()))
    expect(loadConfig({ NIP98_VERIFY_THREADS: '0' }).nip98VerifyThreads).toBe(0)
    expect(loadConfig({ NIP98_VERIFY_THREADS: '3' }).nip98VerifyThreads).toBe(3)
  })

  it('switches to an external engine and takes operator media settings as complete groups', () => {
    const config = loadConfig({ ZOOID_API_URL: 'http://zooid:3334/', LIVEKIT_URL: 'wss://lk.example', LIVEKIT_API_KEY: 'k', LIVEKIT_API_SECRET: 's' })
    expect(config.engine).toMatchObject({ apiUrl: 'http://zooid:3334', embedded: false })
    expect(config.livekit).toEqual({ url: 'wss://lk.example', apiKey: 'k', apiSecret: 's' })
    expect(problem({ LIVEKIT_URL: 'wss://lk.example' })).toMatch(/^LIVEKIT_API_KEY: must be set together/)
    expect(problem({ BLOSSOM_S3_ENDPOINT: 'x', BLOSSOM_S3_REGION: 'r', BLOSSOM_S3_BUCKET: 'b', BLOSSOM_S3_ACCESS_KEY: 'a', BLOSSOM_S3_SECRET_KEY: 's' })).toMatch(/^BLOSSOM_S3_ENDPOINT: /)
    expect(problem({ ZOOID_API_URL: 'zooid' })).toMatch(/^ZOOID_API_URL: /)
  })

  it('takes one bare engine URL as the engine named default, or several named engines in order', () => {
    expect(loadConfig({ ZOOID_API_URL: 'http://zooid:3334/' }).engine.engines).toEqual([{ name: 'default', url: 'http://zooid:3334' }])
    const config = loadConfig({ ZOOID_API_URL: ' a=http://10.0.0.5:3334 , node-2=https://engine2.internal/ ' })
    expect(config.engine.engines).toEqual([
      { name: 'a', url: 'http://10.0.0.5:3334' },
      { name: 'node-2', url: 'https://engine2.internal' },
    ])
    expect(config.engine).toMatchObject({ apiUrl: 'http://10.0.0.5:3334', embedded: false })
    expect(loadConfig({ ZOOID_API_URL: 'solo=http://zooid:3334' }).engine.engines).toEqual([{ name: 'solo', url: 'http://zooid:3334' }])
  })

  it('stops on a bad engine list with one line naming the entry', () => {
    expect(problem({ ZOOID_API_URL: 'a=http://x:1,http://y:2' })).toBe('ZOOID_API_URL: entry 2 needs a name (name=url) when several engines are listed')
    expect(problem({ ZOOID_API_URL: 'Big=http://x:1' })).toBe('ZOOID_API_URL: entry 1: engine name "Big" must be 1–32 characters of a-z, 0-9 and -')
    expect(problem({ ZOOID_API_URL: `${'a'.repeat(33)}=http://x:1` })).toMatch(/^ZOOID_API_URL: entry 1: engine name "a{33}" must be/)
    expect(problem({ ZOOID_API_URL: '=http://x:1' })).toMatch(/^ZOOID_API_URL: entry 1: engine name "" must be/)
    expect(problem({ ZOOID_API_URL: 'a=http://x:1,a=http://y:2' })).toBe('ZOOID_API_URL: entry 2: engine name "a" is used twice')
    expect(problem({ ZOOID_API_URL: 'a=http://x:1,b=http://x:1/' })).toBe('ZOOID_API_URL: entry 2: http://x:1 is already listed as "a"')
    expect(problem({ ZOOID_API_URL: 'a=http://x:1,b=ftp://y' })).toBe('ZOOID_API_URL: entry 2 (b): must use http or https')
    expect(problem({ ZOOID_API_URL: 'a=http://x:1/api' })).toMatch(/^ZOOID_API_URL: entry 1 \(a\): must be an origin only/)
    expect(problem({ ZOOID_API_URL: 'a=not a url' })).toBe('ZOOID_API_URL: entry 1 (a): must be an http(s) URL, got "not a url"')
    expect(problem({ ZOOID_API_URL: ' , ' })).toBe('ZOOID_API_URL: must be an engine URL or name=url entries')
  })

  it('reads the robot and Lightning settings', () => {
    const wallet = `nostr+walletconnect://${'a'.repeat(64)}?relay=wss%3A%2F%2Fr.example&secret=${'b'.repeat(64)}`
    const config = loadConfig({ ROBOT_OUTBOX_RELAYS: 'wss://a.example, wss://b.example', ROBOT_WALLET: wallet, BTC_PRICE_USD_OVERRIDE: '65000.5' })
    expect(config.robot.outboxRelays).toEqual(['wss://a.example/', 'wss://b.example/'])
    expect(config.robot.name).toBe('Caravel')
    expect(config.robotWallet).toBe(wallet)
    expect(config.btcPrice.overrideUsd).toBe(65000.5)
    expect(problem({ ROBOT_INDEXER_RELAYS: 'https://purplepag.es' })).toMatch(/^ROBOT_INDEXER_RELAYS: entry 1/)
    expect(problem({ BTC_PRICE_USD_OVERRIDE: '-1' })).toMatch(/^BTC_PRICE_USD_OVERRIDE: /)
    const bad = problem({ ROBOT_WALLET: `nostr+walletconnect://x?secret=${'c'.repeat(64)}` })
    expect(bad).toMatch(/^ROBOT_WALLET: /)
    expect(bad).not.toContain('c'.repeat(64))
  })

  it('accepts admins as hex or npub and normalises them', () => {
    const hex = 'a'.repeat(64)
    const npub = 'npub1sg6plzptd64u62a878hep2kev88swjh3tw00gjsfl8f237lmu63q0uf63m'
    const config = loadConfig({ SERVER_ADMIN_PUBKEYS: `${hex.toUpperCase()}, ${npub}` })
    expect(config.server.adminPubkeys[0]).toBe(hex)
    expect(config.server.adminPubkeys[1]).toMatch(/^[0-9a-f]{64}$/)
  })

  it('stops on a bad value with one line naming the variable', () => {
    expect(problem({ SERVER_PORT: 'eighty' })).toMatch(/^SERVER_PORT: /)
    expect(problem({ SERVER_URL: 'localhost:2892' })).toMatch(/^SERVER_URL: /)
    expect(problem({ SERVER_URL: 'http://x.example/app' })).toMatch(/^SERVER_URL: .*origin/)
    expect(problem({ SERVER_ADMIN_PUBKEYS: 'nope' })).toMatch(/^SERVER_ADMIN_PUBKEYS: entry 1/)
    expect(problem({ SERVER_ADMIN_PUBKEYS: 'nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5' })).toMatch(/secret key/)
    expect(problem({ RELAY_DOMAIN: 'bad domain' })).toMatch(/^RELAY_DOMAIN: /)
    expect(problem({ ENGINE_PORT: '70000' })).toMatch(/^ENGINE_PORT: /)
    expect(problem({ ROBOT_SECRET: 'xyz' })).toMatch(/^ROBOT_SECRET: /)
    expect(problem({ DATABASE_URL: 'mysql://x' })).toMatch(/^DATABASE_URL: /)
    expect(problem({ LOG_LEVEL: 'loud' })).toMatch(/^LOG_LEVEL: /)
    expect(problem({ SESSION_TTL_SECONDS: '-5' })).toMatch(/^SESSION_TTL_SECONDS: /)
    expect(problem({ NIP98_VERIFY_THREADS: 'many' })).toMatch(/^NIP98_VERIFY_THREADS: must be a whole number \(0 or more\)/)
    expect(problem({ NIP98_VERIFY_THREADS: '100000' })).toMatch(/^NIP98_VERIFY_THREADS: must be at most 64/)
    expect(problem({ BILLING_GRACE_DAYS: '1.5' })).toMatch(/^BILLING_GRACE_DAYS: must be a whole number of days/)
    for (const message of [problem({ SERVER_PORT: '0' }), problem({ ROBOT_SECRET: 'secretvalue' })]) {
      expect(message.split('\n')).toHaveLength(1)
      expect(message).not.toContain('secretvalue')
    }
  })

  it("is documented: README's configuration tables are generated from the schemas", () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    expect(readme).toContain(configTableMarkdown())
    expect(readme).toContain(engineTableMarkdown(ENGINE_VARIABLES))
  })
})
