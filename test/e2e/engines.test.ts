// An operator moving a relay between two engines in a real browser: `caravel serve` over two in-process engines
// (ZOOID_API_URL a=…,b=…), the relay's engine shown on its page, the target picked with its relay count, the
// confirmation, and the outcome in words — with the relay, its invite code and its placement really on B after.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { npubEncode } from 'nostr-tools/nip19'
import type { Browser } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { httpRequest, startTestEngine, type TestEngine } from '../engine/helpers.js'
import { keys, launchChromium, openPage, screenshots, startCaravel, type Caravel, type TestPage } from './harness.js'

const admin = keys()
const ann = keys()
const robot = keys()

let dir: string
let a: TestEngine
let b: TestEngine
let caravel: Caravel
let browser: Browser
let tp: TestPage
let relayId: string
let inviteCode: string

const nameOn = async (engine: TestEngine, host: string) => {
  const res = await httpRequest(engine.port, { host, headers: { accept: 'application/nostr+json' } })
  return res.status === 200 ? (res.json().name as string) : res.status
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'caravel-e2e-engines-'))
  a = await startTestEngine(join(dir, 'a'), robot)
  b = await startTestEngine(join(dir, 'b'), robot)
  caravel = await startCaravel({
    SERVER_ADMIN_PUBKEYS: npubEncode(admin.pk),
    ROBOT_SECRET: robot.secretHex,
    ZOOID_API_URL: `a=http://${a.apiHost},b=http://${b.apiHost}`,
  })
  const created = await caravel.api(ann, 'POST', '/api/relays', { subdomain: 'wander', plan: 'free', info_name: 'Wander', management_enabled: true })
  expect(created.status).toBe(201)
  relayId = created.data.id
  await caravel.server.relaySync.idle()
  const invite = await caravel.api(ann, 'POST', `/api/relays/${relayId}/invites`, { label: 'friends' })
  expect(invite.status).toBe(201)
  inviteCode = invite.data.code
  browser = await launchChromium()
  tp = await openPage(browser, caravel.base, { signer: admin })
})

afterEach(() => {
  expect(tp.errors).toEqual([])
})

afterAll(async () => {
  await browser?.close()
  await caravel?.close()
  await a?.close()
  await b?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('moving a relay to another engine', () => {
  it('shows the engine, confirms the outage, moves the relay with its data and says what moved', async () => {
    const { page } = tp
    expect(await nameOn(a, 'wander.localhost')).toBe('Wander')
    await page.goto('/')
    await page.getByRole('button', { name: 'Sign in with extension' }).click()
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'All relays' }).click()
    await page.locator('[data-testid="relay-row"][data-subdomain="wander"]').getByRole('link', { name: 'wander' }).click()
    await page.getByRole('heading', { name: 'Wander' }).waitFor()
    expect(await page.getByTestId('relay-engine').textContent()).toBe('a')

    const section = page.getByRole('region', { name: 'Engine' })
    const target = section.getByLabel('Target engine')
    expect(await target.locator('option').allTextContents()).toEqual(['b (0 relays)'])
    await screenshots(page, 'admin-relay-engine')
    await section.getByRole('button', { name: 'Move to engine…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Move wander to engine b?' })
    await dialog.getByText('The relay is offline during the move').waitFor()
    await dialog.getByText("the reverse proxy's engine map must include the new placement", { exact: false }).waitFor()
    await screenshots(page, 'admin-relay-engine-confirm')
    await dialog.getByRole('button', { name: 'Move relay' }).click()

    const done = page.getByTestId('move-done')
    await done.waitFor()
    expect(await done.textContent()).toMatch(/^Moved from engine a to engine b with [1-9]\d* events?\. Its copy on engine a was deleted\./)
    await expect.poll(() => page.getByTestId('relay-engine').textContent()).toBe('b')
    // Nowhere left to move but back, with the counts after the move.
    await expect.poll(() => target.locator('option').allTextContents()).toEqual(['a (0 relays)'])
    await screenshots(page, 'admin-relay-engine-moved')

    // Really moved: the placement, the relay served by B and not A, and its invite code with it.
    expect((await caravel.api(admin, 'GET', `/api/relays/${relayId}`)).data.engine).toBe('b')
    expect((await caravel.api(admin, 'GET', '/api/engines')).data.items.map((e: { name: string; relays: number }) => [e.name, e.relays])).toEqual([
      ['a', 0],
      ['b', 1],
    ])
    expect(await nameOn(b, 'wander.localhost')).toBe('Wander')
    expect(await nameOn(a, 'wander.localhost')).not.toBe('Wander')
    const invites = await caravel.api(ann, 'GET', `/api/relays/${relayId}/invites`)
    expect(invites.data.items.map((i: { code: string }) => i.code)).toContain(inviteCode)
  })
})
