// The join flow against a scripted relay speaking NIP-01/42/43 over an in-memory WebSocket.
import { finalizeEvent, generateSecretKey, getPublicKey, verifyEvent, type EventTemplate, type NostrEvent } from 'nostr-tools/pure'
import { describe, expect, it } from 'vitest'
import { joinOutcome, joinRelay, relayHttpUrl } from './join'

const sk = generateSecretKey()
const signer = { getPublicKey: async () => getPublicKey(sk), signEvent: async (t: EventTemplate) => finalizeEvent(t, sk) }

/** A relay that challenges on connect, accepts the AUTH, and answers the join with `answer`. */
function scriptedRelay(answer: (join: NostrEvent) => [boolean, string], opts: { auth?: 'ok' | 'refuse' } = {}) {
  const seen: unknown[][] = []
  class FakeSocket {
    onmessage: ((e: { data: string }) => void) | null = null
    onerror: (() => void) | null = null
    onclose: (() => void) | null = null
    closed = false
    constructor(readonly url: string) {
      queueMicrotask(() => this.onmessage?.({ data: JSON.stringify(['AUTH', 'challenge-1']) }))
    }
    send(raw: string) {
      const msg = JSON.parse(raw) as [string, NostrEvent]
      seen.push(msg)
      const [type, event] = msg
      if (type === 'AUTH') {
        const okAuth = opts.auth !== 'refuse' && verifyEvent(event) && event.tags.some((t) => t[0] === 'challenge' && t[1] === 'challenge-1')
        queueMicrotask(() => this.onmessage?.({ data: JSON.stringify(['OK', event.id, okAuth, okAuth ? '' : 'auth-required: bad auth']) }))
      } else if (type === 'EVENT') {
        const [ok, message] = answer(event)
        queueMicrotask(() => this.onmessage?.({ data: JSON.stringify(['OK', event.id, ok, message]) }))
      }
    }
    close() {
      this.closed = true
    }
  }
  return { seen, WebSocket: FakeSocket as unknown as typeof WebSocket }
}

describe('joinRelay', () => {
  it('answers the AUTH challenge, then sends a signed 28934 with the code and the protected tag', async () => {
    const relay = scriptedRelay(() => [true, 'info: you are now a member of this relay'])
    const outcome = await joinRelay('wss://club.example.com', 'ABCD1234', signer, { WebSocket: relay.WebSocket })
    expect(outcome).toMatchObject({ result: 'joined', words: 'You joined the relay. Welcome!' })
    const [auth, join] = relay.seen as [string, NostrEvent][]
    expect(auth![0]).toBe('AUTH')
    expect(auth![1].kind).toBe(22242)
    expect(auth![1].tags).toEqual([
      ['relay', 'wss://club.example.com'],
      ['challenge', 'challenge-1'],
    ])
    expect(join![0]).toBe('EVENT')
    expect(join![1].kind).toBe(28934)
    expect(join![1].tags).toEqual([['-'], ['claim', 'ABCD1234']])
    expect(verifyEvent(join![1])).toBe(true)
    expect(join![1].pubkey).toBe(getPublicKey(sk))
  })

  it('reports the relay refusing the code in words, with its message', async () => {
    const relay = scriptedRelay(() => [false, 'invalid: failed to validate invite code'])
    const outcome = await joinRelay('wss://club.example.com', 'NOPE', signer, { WebSocket: relay.WebSocket })
    expect(outcome.result).toBe('invalid-code')
    expect(outcome.message).toBe('invalid: failed to validate invite code')
  })

  it('fails in words when the relay does not accept the sign-in', async () => {
    const relay = scriptedRelay(() => [true, ''], { auth: 'refuse' })
    await expect(joinRelay('wss://club.example.com', 'X', signer, { WebSocket: relay.WebSocket })).rejects.toThrow(
      'The relay did not accept your sign-in: auth-required: bad auth',
    )
    expect(relay.seen.map((m) => m[0])).toEqual(['AUTH'])
  })
})

describe('joinOutcome', () => {
  it('reads NIP-43 answers', () => {
    expect(joinOutcome(true, 'duplicate: you are already a member of this relay').result).toBe('already-member')
    expect(joinOutcome(true, 'info: you are now a member of this relay').result).toBe('joined')
    expect(joinOutcome(false, 'restricted: this relay is full').result).toBe('relay-full')
    expect(joinOutcome(false, 'restricted: invite code expired').result).toBe('invalid-code')
    expect(joinOutcome(false, 'blocked: you are banned')).toMatchObject({ result: 'refused', words: 'The relay refused the join request: you are banned.' })
  })
})

describe('relayHttpUrl', () => {
  it('turns a relay address into the address of its NIP-11 document', () => {
    expect(relayHttpUrl('wss://club.example.com')).toBe('https://club.example.com/')
    expect(relayHttpUrl('ws://club.localhost:3334')).toBe('http://club.localhost:3334/')
    expect(relayHttpUrl('https://club.example.com')).toBeNull()
    expect(relayHttpUrl('club')).toBeNull()
  })
})
