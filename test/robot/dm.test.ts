// NIP-17 DMs end to end over real WebSocket relays on 127.0.0.1: an indexer, the recipient's write and read relays,
// and their DM relays (one demanding NIP-42 AUTH). Every DM is decrypted as the recipient.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as nip17 from 'nostr-tools/nip17'
import * as nip44 from 'nostr-tools/nip44'
import { verifyEvent, type NostrEvent } from 'nostr-tools/pure'
import { bytesToHex } from 'nostr-tools/utils'
import { Robot } from '../../src/robot/robot.js'
import { ManualClock } from '../helpers/clock.js'
import { DmRelay, deadRelayUrl } from '../helpers/dm-relay.js'
import { NostrUser, robotHarness, type RobotHarness } from './harness.js'

const TWO_DAYS = 2 * 86_400

let h: RobotHarness
let robot: Robot
let clock: ManualClock
const relays: Record<'indexer' | 'write' | 'read' | 'dmA' | 'dmB' | 'flaky' | 'robotOutbox' | 'robotInbox', DmRelay> = {} as never
const recipientSecrets: string[] = []

function wrapsFor(relay: DmRelay, pubkey: string): NostrEvent[] {
  return relay.accepted.filter((e) => e.kind === 1059 && e.tags.some((t) => t[0] === 'p' && t[1] === pubkey))
}

function allWraps(): NostrEvent[] {
  return Object.values(relays).flatMap((r) => r.accepted.filter((e) => e.kind === 1059))
}

/** A recipient whose 10002 is on the indexer and whose 10050 (on their write relay) lists `dmRelays`. */
function recipient(dmRelays: string[] | undefined): NostrUser {
  const user = new NostrUser()
  recipientSecrets.push(bytesToHex(user.sk))
  relays.indexer.seed(user.relayList([[relays.write.url, 'write'], [relays.read.url, 'read']]))
  if (dmRelays) {
    // An older list on the indexer pointing at the read relay: the newer one on the write relay must win.
    relays.indexer.seed(user.dmRelays([relays.read.url], Math.floor(Date.now() / 1000) - 10_000))
    relays.write.seed(user.dmRelays(dmRelays))
  }
  return user
}

function indexerLookups(pubkey: string): number {
  return relays.indexer.requests.filter((filters) => filters.some((f) => f.authors?.includes(pubkey))).length
}

beforeAll(async () => {
  relays.indexer = await new DmRelay().start()
  relays.write = await new DmRelay().start()
  relays.read = await new DmRelay().start()
  relays.dmA = await new DmRelay().start()
  relays.dmB = await new DmRelay({ auth: true }).start()
  relays.flaky = await new DmRelay().start()
  relays.robotOutbox = await new DmRelay().start()
  relays.robotInbox = await new DmRelay().start()
  h = await robotHarness({
    ROBOT_INDEXER_RELAYS: relays.indexer.url,
    ROBOT_OUTBOX_RELAYS: relays.robotOutbox.url,
    ROBOT_MESSAGING_RELAYS: relays.robotInbox.url,
  })
  clock = new ManualClock()
  robot = new Robot(h.platform, { clock, relayTimeoutMs: 3000, remindEveryMs: 0, outbox: { sweepEveryMs: 0 } })
  await robot.start()
  await robot.idle()
})

afterAll(async () => {
  robot.stop()
  await h.close()
  for (const relay of Object.values(relays)) await relay.close()
})

describe('robot DMs (NIP-17)', () => {
  it('delivers a gift wrap the recipient decrypts, only to their 10050 relays, answering AUTH', async () => {
    const alice = recipient([relays.dmA.url, relays.dmB.url])
    const text = 'Your relay is ready: wss://alice.relays.example'
    expect(await robot.notify({ id: 'relay-ready:alice', recipient: alice.pubkey, kind: 'relay-ready', text })).toBe(true)
    await robot.idle()

    const [wrap] = wrapsFor(relays.dmA, alice.pubkey)
    expect(wrapsFor(relays.dmA, alice.pubkey)).toHaveLength(1)
    expect(wrapsFor(relays.dmB, alice.pubkey).map((e) => e.id)).toEqual([wrap!.id])
    expect(relays.dmB.authenticated).toContain(h.platform.robot.pubkey)
    for (const other of [relays.indexer, relays.write, relays.read, relays.robotOutbox, relays.robotInbox]) expect(wrapsFor(other, alice.pubkey)).toEqual([])

    // As the recipient: wrap → seal → rumor.
    const rumor = nip17.unwrapEvent(wrap!, alice.sk)
    expect(rumor.kind).toBe(14)
    expect(rumor.content).toBe(text)
    expect(rumor.tags).toEqual([['p', alice.pubkey]])
    expect(rumor.pubkey).toBe(h.platform.robot.pubkey)
    const seal = JSON.parse(nip44.decrypt(wrap!.content, nip44.getConversationKey(alice.sk, wrap!.pubkey))) as NostrEvent
    expect(seal.kind).toBe(13)
    expect(seal.pubkey).toBe(h.platform.robot.pubkey)
    expect(seal.tags).toEqual([])
    expect(verifyEvent(seal)).toBe(true)
    expect(wrap!.kind).toBe(1059)
    expect(wrap!.tags).toEqual([['p', alice.pubkey]])
    expect(wrap!.pubkey).not.toBe(h.platform.robot.pubkey)
    expect(verifyEvent(wrap!)).toBe(true)
    const now = Math.ceil(Date.now() / 1000)
    for (const e of [seal, wrap!]) {
      expect(e.created_at).toBeLessThan(rumor.created_at)
      expect(e.created_at).toBeGreaterThanOrEqual(now - TWO_DAYS - 5)
    }
    expect(await robot.outbox.store.get('relay-ready:alice')).toMatchObject({ status: 'sent', attempts: 1, last_error: null })
  })

  it('delivered when at least one DM relay accepts: a dead one does not matter', async () => {
    const ivy = recipient([await deadRelayUrl(), relays.dmA.url])
    await robot.notify({ id: 'test:ivy', recipient: ivy.pubkey, kind: 'relay-ready', text: 'partly' })
    await robot.idle()
    expect(wrapsFor(relays.dmA, ivy.pubkey)).toHaveLength(1)
    expect(await robot.outbox.store.get('test:ivy')).toMatchObject({ status: 'sent', attempts: 1 })
  })

  it('uses a fresh one-time key per wrap', async () => {
    const bob = recipient([relays.dmA.url])
    await robot.notify({ id: 'test:bob:1', recipient: bob.pubkey, kind: 'relay-ready', text: 'one' })
    await robot.notify({ id: 'test:bob:2', recipient: bob.pubkey, kind: 'relay-ready', text: 'two' })
    await robot.idle()
    const wraps = wrapsFor(relays.dmA, bob.pubkey)
    expect(wraps.map((w) => nip17.unwrapEvent(w, bob.sk).content).sort()).toEqual(['one', 'two'])
    expect(new Set(wraps.map((w) => w.pubkey)).size).toBe(2)
    expect(wraps.map((w) => w.pubkey)).not.toContain(h.platform.robot.pubkey)
  })

  it('sends one DM per id: the same payment-due twice (at once and later) is one DM', async () => {
    const carol = recipient([relays.dmA.url])
    const due = { tenant: carol.pubkey, invoiceId: 'in_carol_1', amountCents: 500 }
    // Two at once: exactly one records it (which one depends on the database's scheduling).
    expect((await Promise.all([robot.paymentDue(due), robot.paymentDue(due)])).sort()).toEqual([false, true])
    await robot.idle()
    expect(await robot.paymentDue(due)).toBe(false)
    await robot.idle()
    const wraps = wrapsFor(relays.dmA, carol.pubkey)
    expect(wraps).toHaveLength(1)
    const content = nip17.unwrapEvent(wraps[0]!, carol.sk).content
    expect(content).toContain('$5.00')
    expect(content).toContain('https://app.caravel.example')
  })

  it('a recipient without a 10050 gets nothing, anywhere: no-dm-relays is recorded and logged once', async () => {
    const dave = recipient(undefined)
    const before = allWraps().length
    await robot.notify({ id: 'relay-ready:dave', recipient: dave.pubkey, kind: 'relay-ready', text: 'Your relay is ready' })
    await robot.idle()
    expect(allWraps().length).toBe(before)
    expect(await robot.outbox.store.get('relay-ready:dave')).toMatchObject({ status: 'no-dm-relays', last_error: 'no-dm-relays', sent_at: null, next_attempt_at: null })
    const lines = h.logs.map((l) => JSON.parse(l)).filter((l) => l.notification === 'relay-ready:dave' && l.msg.includes('no NIP-17 DM relays'))
    expect(lines).toHaveLength(1)
    expect(lines[0].level).toBe(40)
    expect(clock.pending()).toEqual([])
  })

  it('caches a recipient’s DM relays for 6 hours', async () => {
    const erin = recipient([relays.dmA.url])
    await robot.notify({ id: 'test:erin:1', recipient: erin.pubkey, kind: 'relay-ready', text: 'one' })
    await robot.idle()
    expect(indexerLookups(erin.pubkey)).toBe(1)
    await robot.notify({ id: 'test:erin:2', recipient: erin.pubkey, kind: 'relay-ready', text: 'two' })
    await robot.idle()
    expect(indexerLookups(erin.pubkey)).toBe(1)
    clock.advance(6 * 3600_000 - 1)
    await robot.notify({ id: 'test:erin:2b', recipient: erin.pubkey, kind: 'relay-ready', text: 'two b' })
    await robot.idle()
    expect(indexerLookups(erin.pubkey)).toBe(1)
    clock.advance(1)
    await robot.notify({ id: 'test:erin:3', recipient: erin.pubkey, kind: 'relay-ready', text: 'three' })
    await robot.idle()
    expect(indexerLookups(erin.pubkey)).toBe(2)
    expect(wrapsFor(relays.dmA, erin.pubkey)).toHaveLength(4)
  })

  it('retries a failing DM relay with backoff, looks the lists up again, and sends once it recovers', async () => {
    const frank = recipient([relays.flaky.url])
    relays.flaky.refuse = 'error: disk full'
    await robot.notify({ id: 'test:frank', recipient: frank.pubkey, kind: 'relay-ready', text: 'eventually' })
    await robot.idle()
    let row = await robot.outbox.store.get('test:frank')
    expect(row).toMatchObject({ status: 'pending', attempts: 1 })
    expect(row!.last_error).toContain('error: disk full')
    expect(robot.outbox.scheduled).toEqual(['test:frank'])
    expect(clock.pending()).toEqual([30_000])
    expect(indexerLookups(frank.pubkey)).toBe(1)

    clock.advance(30_000)
    await robot.idle()
    row = await robot.outbox.store.get('test:frank')
    expect(row).toMatchObject({ status: 'pending', attempts: 2 })
    // Every DM relay failed, so the cached lists were dropped and looked up again.
    expect(indexerLookups(frank.pubkey)).toBe(2)
    expect(clock.pending()).toEqual([60_000])

    relays.flaky.refuse = undefined
    clock.advance(60_000)
    await robot.idle()
    row = await robot.outbox.store.get('test:frank')
    expect(row).toMatchObject({ status: 'sent', attempts: 3 })
    expect(row!.last_error).toContain('error: disk full')
    const wraps = wrapsFor(relays.flaky, frank.pubkey)
    expect(wraps).toHaveLength(1)
    expect(nip17.unwrapEvent(wraps[0]!, frank.sk).content).toBe('eventually')
    expect(clock.pending()).toEqual([])
  })

  it('auto-pay failed: at most 240 characters, without the wallet URI', async () => {
    const grace = recipient([relays.dmA.url])
    const secret = 'c'.repeat(64)
    const uri = `nostr+walletconnect://${'d'.repeat(64)}?relay=wss://wallet.example&secret=${secret}`
    await robot.autopayFailed({ tenant: grace.pubkey, invoiceId: 'in_grace', attempt: 1, reason: `INSUFFICIENT_BALANCE paying with ${uri}: ${'z'.repeat(300)}` })
    await robot.idle()
    const [wrap] = wrapsFor(relays.dmA, grace.pubkey)
    const content = nip17.unwrapEvent(wrap!, grace.sk).content
    expect(content.startsWith('NWC auto-payment failed: INSUFFICIENT_BALANCE paying with [wallet]')).toBe(true)
    expect(content.length).toBeLessThanOrEqual(240)
    expect(content).not.toContain('walletconnect')
    expect(content).not.toContain(secret)
    expect(h.logs.join('\n')).not.toContain(secret)
  })

  it('relay ready follows the first sync of a new relay, once, with its URL', async () => {
    const henry = recipient([relays.dmA.url])
    const { commands } = h.platform
    const relay = await commands.createRelay(henry.pubkey, { subdomain: 'henry', plan: 'free' })
    await commands.completeRelaySync(relay.id)
    await robot.idle()
    await commands.updateRelay(relay.id, { info_name: 'Henry' })
    await commands.completeRelaySync(relay.id)
    await robot.idle()
    const wraps = wrapsFor(relays.dmA, henry.pubkey)
    expect(wraps).toHaveLength(1)
    expect(nip17.unwrapEvent(wraps[0]!, henry.sk).content).toBe(`Your relay is ready: ws://henry.localhost:${h.platform.config.engine.port}`)
    expect(await robot.outbox.store.get(`relay-ready:${relay.id}`)).toMatchObject({ status: 'sent' })
  })

  it('no log line holds the robot secret, a recipient secret or any nsec', () => {
    const all = h.logs.join('\n')
    expect(h.logs.length).toBeGreaterThan(5)
    expect(all).toContain('direct message sent')
    expect(all).not.toContain(h.platform.robot.secretKeyHex)
    for (const secret of recipientSecrets) expect(all).not.toContain(secret)
    expect(all).not.toMatch(/nsec1/)
  })
})
