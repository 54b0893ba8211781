import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger } from './log.js'

describe('logger', () => {
  it('redacts secrets at any depth we log them', () => {
    const lines: string[] = []
    const destination = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk))
        cb()
      },
    })
    const log = createLogger({ level: 'info', destination })
    log.info({ relay: { id: 'r1', secret: 'deadbeef' }, nwc_url: 'nostr+walletconnect://x', req: { headers: { authorization: 'Nostr abc' } } }, 'hello')
    const out = lines.join('')
    expect(out).toContain('r1')
    expect(out).not.toContain('deadbeef')
    expect(out).not.toContain('walletconnect')
    expect(out).not.toContain('Nostr abc')
  })
})
