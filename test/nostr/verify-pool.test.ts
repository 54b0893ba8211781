// NIP-98 signatures checked on worker threads: same verdicts as on the event loop, and the event loop keeps
// turning while they run. Also from the built package, the way `npm start` runs it.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { afterAll, describe, expect, it } from 'vitest'
import { nip98Header } from '../../src/nostr/nip98.js'
import { VerifyPool } from '../../src/nostr/verify-pool.js'
import { freePort } from '../helpers/ports.js'

const sk = generateSecretKey()
const signed = () => JSON.stringify(finalizeEvent({ kind: 27235, created_at: Math.floor(Date.now() / 1000), tags: [['u', 'http://x.example/']], content: '' }, sk))

describe('VerifyPool', () => {
  const pool = new VerifyPool(2)
  afterAll(() => pool.close())

  it('accepts a signed event and refuses tampered, unsigned and non-JSON input', async () => {
    const good = signed()
    const event = JSON.parse(good)
    expect(await pool.verify(good)).toBe(true)
    expect(await pool.verify(JSON.stringify({ ...event, content: 'edited' }))).toBe(false)
    expect(await pool.verify(JSON.stringify({ ...event, sig: event.sig.replace(/^./, event.sig[0] === 'a' ? 'b' : 'a') }))).toBe(false)
    expect(await pool.verify(JSON.stringify({ ...event, sig: undefined }))).toBe(false)
    expect(await pool.verify('{"kind":27235,')).toBe(false)
    expect(await pool.verify('[1,2,3]')).toBe(false)
  })

  it('keeps the event loop turning while it verifies', async () => {
    const events = Array.from({ length: 400 }, (_, i) => (i % 10 === 0 ? signed().replace(/"content":""/, '"content":"x"') : signed()))
    let turns = 0
    let spinning = true
    const spin = () => {
      turns++
      if (spinning) setImmediate(spin)
    }
    setImmediate(spin)
    const verdicts = await Promise.all(events.map((e) => pool.verify(e)))
    spinning = false
    expect(verdicts.filter((v) => !v)).toHaveLength(40)
    // 400 checks of about 0.3 ms each would hold a single thread for over 100 ms without one turn.
    expect(turns).toBeGreaterThan(20)
  })

  it('refuses a thread count below one', () => {
    expect(() => new VerifyPool(0)).toThrow(/invalid thread count/)
  })
})

describe('the built package', () => {
  const dir = mkdtempSync(join(tmpdir(), 'caravel-dist-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('serves NIP-98 requests with its verification threads (`npm start`)', async () => {
    expect(existsSync('dist/cli.js'), 'dist/ is built by `npm ci` (prepare) and `npm start` (prestart)').toBe(true)
    const port = await freePort()
    const url = `http://127.0.0.1:${port}`
    const env = { PATH: process.env.PATH, DATA_DIR: dir, SERVER_PORT: String(port), SERVER_URL: url, ENGINE_PORT: String(await freePort()), NIP98_VERIFY_THREADS: '2' }
    const child = spawn(process.execPath, ['dist/cli.js', 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    try {
      let out = ''
      await new Promise<void>((resolve, reject) => {
        const onData = (d: Buffer) => {
          out += d.toString()
          if (out.includes('caravel is serving')) resolve()
        }
        child.stdout.on('data', onData)
        child.stderr.on('data', onData)
        child.on('exit', (code) => reject(new Error(`caravel serve exited ${code}:\n${out}`)))
      })
      const pubkey = getPublicKey(sk)
      const sign = (t: Parameters<typeof finalizeEvent>[0]) => finalizeEvent(t, sk)
      const get = (authorization: string) => fetch(`${url}/api/identity`, { headers: { authorization } })
      const ok = await get(nip98Header(sign, { url: `${url}/api/identity`, method: 'GET' }))
      expect(ok.status).toBe(200)
      expect(((await ok.json()) as { data: { pubkey: string } }).data.pubkey).toBe(pubkey)
      const event = JSON.parse(Buffer.from(nip98Header(sign, { url: `${url}/api/identity`, method: 'GET' }).slice(6), 'base64').toString())
      const forged = await get(`Nostr ${Buffer.from(JSON.stringify({ ...event, content: 'edited' })).toString('base64')}`)
      expect([forged.status, ((await forged.json()) as { code: string }).code]).toEqual([401, 'auth-signature'])
    } finally {
      child.kill('SIGTERM')
      await new Promise((resolve) => child.once('exit', resolve))
    }
  })
})
