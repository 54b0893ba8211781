// The robot's kind 0, 10002 and 10050: published to its outbox relays and the indexers at start, only when changed
// (a restart with the same settings publishes nothing), and retried while no relay accepted them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyEvent, type NostrEvent } from 'nostr-tools/pure'
import { Robot } from '../../src/robot/robot.js'
import { ManualClock } from '../helpers/clock.js'
import { DmRelay } from '../helpers/dm-relay.js'
import { robotHarness, type RobotHarness } from './harness.js'

let outbox: DmRelay
let indexer: DmRelay
let inboxUrls: string[]
let env: Record<string, string>
const harnesses: RobotHarness[] = []
const robots: Robot[] = []

const lists = (relay: DmRelay) => relay.accepted.filter((e) => [0, 10002, 10050].includes(e.kind))
const byKind = (events: NostrEvent[], kind: number) => events.filter((e) => e.kind === kind)

async function started(h: RobotHarness, clock: ManualClock, platform = h.platform): Promise<Robot> {
  const robot = new Robot(platform, { clock, remindEveryMs: 0, outbox: { sweepEveryMs: 0 } })
  robots.push(robot)
  await robot.start()
  await robot.idle()
  return robot
}

beforeAll(async () => {
  outbox = await new DmRelay({ auth: true }).start()
  indexer = await new DmRelay().start()
  inboxUrls = ['wss://inbox-one.example', 'wss://inbox-two.example']
  env = {
    ROBOT_NAME: 'Caravel Test',
    ROBOT_DESCRIPTION: 'I send notices.',
    ROBOT_PICTURE: 'https://caravel.example/robot.png',
    ROBOT_OUTBOX_RELAYS: outbox.url,
    ROBOT_INDEXER_RELAYS: indexer.url,
    ROBOT_MESSAGING_RELAYS: inboxUrls.join(','),
  }
})

afterAll(async () => {
  for (const r of robots) r.stop()
  for (const h of harnesses) await h.close()
  await outbox.close()
  await indexer.close()
})

describe('robot profile and lists', () => {
  it('publishes kind 0, 10002 and 10050 once, and nothing again after a restart with the same settings', async () => {
    const h = await robotHarness(env)
    harnesses.push(h)
    const clock = new ManualClock()
    const first = await started(h, clock)
    const robotPubkey = h.platform.robot.pubkey

    for (const relay of [outbox, indexer]) {
      const events = lists(relay)
      expect(events.map((e) => e.kind).sort((a, b) => a - b)).toEqual([0, 10002, 10050])
      for (const e of events) {
        expect(e.pubkey).toBe(robotPubkey)
        expect(verifyEvent(e)).toBe(true)
      }
      expect(JSON.parse(byKind(events, 0)[0]!.content)).toEqual({
        name: 'Caravel Test',
        display_name: 'Caravel Test',
        about: 'I send notices.',
        picture: 'https://caravel.example/robot.png',
      })
      expect(byKind(events, 10002)[0]!.tags).toEqual([['r', `${outbox.url}/`]])
      expect(byKind(events, 10050)[0]!.tags).toEqual(inboxUrls.map((u) => ['relay', `${u}/`]))
    }
    // The outbox relay asked for AUTH; the robot answered with its own key.
    expect(outbox.authenticated).toContain(robotPubkey)

    // A clean stop releases the robot's lease, so the next instance publishes at once.
    await first.stop()
    const platform = await h.reopen()
    const second = await started(h, clock, platform)
    expect(lists(outbox)).toHaveLength(3)
    expect(lists(indexer)).toHaveLength(3)
    expect(await second.publishProfile()).toEqual({ published: [], unchanged: [0, 10002, 10050], failed: [] })
    await second.stop()

    // A changed name: only the profile goes out again, newer than the last one even within the same second.
    const previous = byKind(lists(outbox), 0)[0]!
    const renamed = await h.reopen({ ROBOT_NAME: 'Caravel Renamed' })
    await started(h, clock, renamed)
    expect(lists(outbox).map((e) => e.kind).sort((a, b) => a - b)).toEqual([0, 0, 10002, 10050])
    const latest = byKind(lists(outbox), 0)[1]!
    expect(JSON.parse(latest.content).name).toBe('Caravel Renamed')
    expect(latest.created_at).toBeGreaterThan(previous.created_at)
    expect(h.logs.join('\n')).not.toContain(h.platform.robot.secretKeyHex)
  })

  it('retries with backoff while no relay accepts the lists', async () => {
    const down = await new DmRelay().start()
    down.refuse = 'error: read-only'
    const h = await robotHarness({ ...env, ROBOT_OUTBOX_RELAYS: down.url, ROBOT_INDEXER_RELAYS: down.url })
    harnesses.push(h)
    const clock = new ManualClock()
    const robot = await started(h, clock)
    expect(lists(down)).toEqual([])
    expect(clock.pending()).toEqual([60_000])
    down.refuse = undefined
    clock.advance(60_000)
    await robot.idle()
    expect(lists(down).map((e) => e.kind).sort((a, b) => a - b)).toEqual([0, 10002, 10050])
    expect(clock.pending()).toEqual([])
    await down.close()
  })
})
