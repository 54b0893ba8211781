import { describe, expect, it } from 'vitest'
import { defaultMaxOpenRelays, ENGINE_VARIABLES, readEngineConfig, readMaxOpenRelays } from './config.js'

const pk = 'a'.repeat(64)

describe('readEngineConfig', () => {
  it('defaults: port 3334, API off standalone, 127.0.0.1:<port> embedded', () => {
    expect(readEngineConfig({}, 'standalone')).toMatchObject({ port: 3334, apiHost: '', apiWhitelist: [] })
    expect(readEngineConfig({ ENGINE_PORT: '4000' }, 'embedded').apiHost).toBe('127.0.0.1:4000')
  })

  it('reads ENGINE_ names first, zooid names as fallback', () => {
    const c = readEngineConfig({ PORT: '5000', API_HOST: 'Api.Example:1', API_WHITELIST: `${pk}, ${'b'.repeat(64)}`, DATA: '/tmp/zd' })
    expect(c).toEqual({ port: 5000, apiHost: 'api.example:1', apiWhitelist: [pk, 'b'.repeat(64)], dataDir: '/tmp/zd', maxOpenRelays: defaultMaxOpenRelays() })
    expect(readEngineConfig({ ENGINE_PORT: '6000', PORT: '5000' }).port).toBe(6000)
  })

  it('a bad value throws one line naming the variable', () => {
    expect(() => readEngineConfig({ ENGINE_PORT: 'abc' })).toThrow(/^ENGINE_PORT /)
    expect(() => readEngineConfig({ PORT: '70000' })).toThrow(/^PORT /)
    expect(() => readEngineConfig({ ENGINE_API_WHITELIST: `${pk},npub1xyz` })).toThrow(/^ENGINE_API_WHITELIST contains an invalid pubkey/)
    expect(() => readEngineConfig({ ENGINE_API_HOST: 'bad host/' })).toThrow(/^ENGINE_API_HOST /)
    try {
      readEngineConfig({ ENGINE_PORT: 'x' })
    } catch (err) {
      expect((err as Error).message).not.toContain('\n')
    }
  })

  it('exports the variable table as data', () => {
    expect(ENGINE_VARIABLES.map((v) => [v.name, v.zooid])).toEqual([
      ['ENGINE_PORT', 'PORT'],
      ['ENGINE_API_HOST', 'API_HOST'],
      ['ENGINE_API_WHITELIST', 'API_WHITELIST'],
      ['ENGINE_DATA_DIR', 'DATA'],
      ['ENGINE_MAX_OPEN_RELAYS', ''],
    ])
  })

  it('ENGINE_MAX_OPEN_RELAYS: a positive whole number, else one line naming it; default from the open-files limit', () => {
    expect(readEngineConfig({ ENGINE_MAX_OPEN_RELAYS: '250' }).maxOpenRelays).toBe(250)
    expect(readMaxOpenRelays({ ENGINE_MAX_OPEN_RELAYS: ' 5 ' })).toBe(5)
    for (const bad of ['0', '-3', 'many', '1.5', '12abc', '99999999999']) {
      expect(() => readMaxOpenRelays({ ENGINE_MAX_OPEN_RELAYS: bad })).toThrow(/^ENGINE_MAX_OPEN_RELAYS must be a positive whole number of relays, got "/)
    }
    expect(defaultMaxOpenRelays(20_000)).toBe(2000)
    expect(defaultMaxOpenRelays(1024)).toBe(170)
    expect(defaultMaxOpenRelays(12)).toBe(8)
    expect(defaultMaxOpenRelays(undefined)).toBe(2000)
    expect(readMaxOpenRelays({})).toBe(defaultMaxOpenRelays())
  })
})
