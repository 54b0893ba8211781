// Moving a relay to another engine from its admin page, against a scripted API (jsdom): nothing to move with
// one engine; with several, the targets with their relay counts, a confirmation that says the relay is offline
// and the proxy map must follow, the move's outcome in words (events, source purged or not) and its refusals.
import { describe, expect, it } from 'vitest'
import { button, ok, refuse, settle, text, useMount, useScriptedApi } from '../../test/dom'
import { relayDetail } from '../../test/fixtures'
import type { Engine, RelayMove } from '../lib/api'
import { EngineSection } from './EngineSection'

const { calls, script } = useScriptedApi()
const mount = useMount()

const engine = (name: string, relays: number): Engine => ({ name, url: `http://10.0.0.${name.charCodeAt(0) - 96}:3334`, relays })
const ENGINES = [engine('a', 2), engine('b', 1), engine('c', 5)]
const onA = relayDetail({ engine: 'a' })
const moved = (over: Partial<RelayMove> = {}): RelayMove => ({ relay: { ...onA }, from: 'a', to: 'c', events: 1234, source_purged: true, ...over })

/** The section on the relay, with how often it asked the page to fetch the relay again. */
async function mountSection() {
  const reloads = { count: 0 }
  const root = mount(() => <EngineSection relay={onA} onMoved={async () => void reloads.count++} />)
  await settle()
  return { root, reloads }
}

const select = (root: ParentNode) => root.querySelector<HTMLSelectElement>('#move-engine')!
const choose = (root: ParentNode, name: string) => {
  select(root).value = name
  select(root).dispatchEvent(new Event('change', { bubbles: true }))
}
const dialog = (root: ParentNode) => root.querySelector('dialog')!

describe('engine section', () => {
  it('is not shown when the deployment has one engine', async () => {
    script['GET /api/engines'] = [ok({ items: [engine('embedded', 3)] })]
    const { root } = await mountSection()
    expect(calls.map((c) => c.key)).toEqual(['GET /api/engines'])
    expect(root.querySelector('[data-testid="engine-section"]')).toBeNull()
    expect(button(root, 'Move to engine…')).toBeUndefined()
  })

  it('says so when the engines cannot be listed', async () => {
    script['GET /api/engines'] = [refuse(403, 'forbidden', 'admins only')]
    const { root } = await mountSection()
    expect(text(root.querySelector('[data-testid="engines-error"]'))).toBe('The engines could not be listed: You are not allowed to do this.')
    expect(button(root, 'Move to engine…')).toBeUndefined()
  })

  it('offers the other engines with their relay counts, labelled', async () => {
    script['GET /api/engines'] = [ok({ items: ENGINES })]
    const { root } = await mountSection()
    expect(text(root.querySelector('[data-testid="engine-current"]'))).toBe('a')
    expect(root.querySelector('label[for="move-engine"]')?.textContent).toBe('Target engine')
    expect([...select(root).options].map((o) => [o.value, o.textContent])).toEqual([
      ['b', 'b (1 relay)'],
      ['c', 'c (5 relays)'],
    ])
    expect(select(root).value).toBe('b')
  })

  it('moves only after a confirmation that explains the outage and the proxy map, then says what moved', async () => {
    script['GET /api/engines'] = [ok({ items: ENGINES }), ok({ items: [engine('a', 1), engine('b', 1), engine('c', 6)] })]
    script['POST /api/relays/r1/move'] = [ok(moved())]
    const { root, reloads } = await mountSection()
    choose(root, 'c')
    button(root, 'Move to engine…').click()
    await settle()
    const d = dialog(root)
    expect(d.open).toBe(true)
    expect(text(d.querySelector('h2'))).toBe('Move club to engine c?')
    expect(d.getAttribute('aria-labelledby')).toBe(d.querySelector('h2')!.id)
    expect(text(d)).toContain('The relay is offline during the move')
    expect(text(d)).toContain('from the moment it stops on engine a until it runs on engine c')
    expect(text(d)).toContain("the reverse proxy's engine map must include the new placement")
    expect(calls.some((c) => c.key === 'POST /api/relays/r1/move')).toBe(false)

    button(d, 'Move relay').click()
    await settle()
    expect(calls.find((c) => c.key === 'POST /api/relays/r1/move')!.body).toEqual({ engine: 'c' })
    expect(d.open).toBe(false)
    expect([...root.querySelectorAll('[data-testid="move-done"] p')].map(text)).toEqual([
      'Moved from engine a to engine c with 1,234 events. Its copy on engine a was deleted.',
      'Members reach it through the reverse proxy once the engine map sends its host to the new engine.',
    ])
    // The page fetches the relay again (its engine changed) and the counts are fresh.
    expect(reloads.count).toBe(1)
    expect(calls.filter((c) => c.key === 'GET /api/engines')).toHaveLength(2)
    expect(text(select(root).options[1])).toBe('c (6 relays)')
  })

  it('says when the source kept its copy, and how to delete it', async () => {
    script['GET /api/engines'] = [ok({ items: ENGINES })]
    script['POST /api/relays/r1/move'] = [ok(moved({ to: 'b', events: 1, source_purged: false }))]
    const { root } = await mountSection()
    button(root, 'Move to engine…').click()
    button(dialog(root), 'Move relay').click()
    await settle()
    expect(calls.find((c) => c.key === 'POST /api/relays/r1/move')!.body).toEqual({ engine: 'b' })
    expect(text(root.querySelector('[data-testid="move-done"]'))).toContain(
      'Moved from engine a to engine b with 1 event. Engine a could not delete its copy, which stays there inactive: delete it later on that engine (DELETE /relay/r1?purge=true on its management API, or caravel engine purge --relay r1 while it is stopped).',
    )
  })

  it('does nothing when the confirmation is cancelled', async () => {
    script['GET /api/engines'] = [ok({ items: ENGINES })]
    const { root, reloads } = await mountSection()
    button(root, 'Move to engine…').click()
    button(dialog(root), 'Cancel').click()
    await settle()
    expect(dialog(root).open).toBe(false)
    expect(calls.map((c) => c.key)).toEqual(['GET /api/engines'])
    expect(reloads.count).toBe(0)
  })

  it.each([
    [409, 'move-in-progress', 'this relay is already being moved', 'This relay is already being moved. Wait for that move to finish.'],
    [409, 'already-on-engine', 'the relay is already on engine "b"', 'The relay is already on that engine.'],
    [409, 'relay-not-synced', 'the relay is not on its engine yet; move it once it is synced', 'The relay is not live yet. Try again in a moment.'],
    [422, 'unknown-engine', 'unknown engine "b"; configured: a, c', 'Unknown engine "b"; configured: a, c.'],
    [
      502,
      'move-failed',
      'importing events on engine "b" failed: HTTP 500',
      'An engine refused a step, so the move was undone and the relay runs where it was. Importing events on engine "b" failed: HTTP 500.',
    ],
    [
      503,
      'engine-unavailable',
      'exporting events on engine "a" failed: connect ECONNREFUSED',
      'An engine could not be reached, so the move was undone and the relay runs where it was. Exporting events on engine "a" failed: connect ECONNREFUSED.',
    ],
  ])('shows a %i %s refusal in words', async (status, code, message, words) => {
    script['GET /api/engines'] = [ok({ items: ENGINES })]
    script['POST /api/relays/r1/move'] = [refuse(status, code, message)]
    const { root, reloads } = await mountSection()
    button(root, 'Move to engine…').click()
    button(dialog(root), 'Move relay').click()
    await settle()
    expect(dialog(root).open).toBe(false)
    expect(text(root.querySelector('[data-testid="move-error"]'))).toBe(words)
    expect(root.querySelector('[data-testid="move-done"]')).toBeNull()
    // A refusal may mean the page is stale: the relay is fetched again.
    expect(reloads.count).toBe(1)
  })
})
