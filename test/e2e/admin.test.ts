// An operator in a real browser: tenants and relays lists with search and filters, a relay's detail with its
// engine (no move control with one engine) and every toggle, force re-sync, a sync error shown with its message,
// and deactivation.
import type { Browser } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { npubEncode } from 'nostr-tools/nip19'
import { keys, launchChromium, openPage, screenshots, startCaravel, WAIT, type Caravel, type TestPage } from './harness.js'

const admin = keys()
const ann = keys()
const bob = keys()
const ids: Record<string, string> = {}

let caravel: Caravel
let browser: Browser
let tp: TestPage

async function rows(testid: string, attr: string): Promise<string[]> {
  return tp.page.locator(`[data-testid="${testid}"]`).evaluateAll((els, a) => els.map((e) => e.getAttribute(a as string) ?? ''), attr)
}

beforeAll(async () => {
  caravel = await startCaravel({ SERVER_ADMIN_PUBKEYS: npubEncode(admin.pk) })
  for (const [who, subdomain, plan] of [
    [ann, 'alpha-one', 'free'],
    [ann, 'alpha-two', 'basic'],
    [bob, 'beta-club', 'growth'],
  ] as const) {
    const res = await caravel.api(who, 'POST', '/api/relays', { subdomain, plan })
    expect(res.status).toBe(201)
    ids[subdomain] = res.data.id
  }
  expect((await caravel.api(bob, 'POST', `/api/relays/${ids['beta-club']}/deactivate`)).status).toBe(200)
  await caravel.server.relaySync.idle()
  browser = await launchChromium()
  tp = await openPage(browser, caravel.base, { signer: admin })
})

afterEach(() => {
  expect(tp.errors).toEqual([])
})

afterAll(async () => {
  await browser?.close()
  await caravel?.close()
})

describe('admin dashboard', () => {
  it('signs in as an admin and searches tenants', async () => {
    const { page } = tp
    await page.goto('/')
    await page.getByRole('button', { name: 'Sign in with extension' }).click()
    const nav = page.getByRole('navigation', { name: 'Main' })
    await nav.getByRole('link', { name: 'Tenants' }).click()
    await page.getByRole('heading', { name: 'Tenants' }).waitFor()
    await expect.poll(async () => (await rows('tenant-row', 'data-pubkey')).sort(), { timeout: WAIT }).toEqual([admin.pk, ann.pk, bob.pk].sort())
    await screenshots(page, 'admin-tenants')
    await page.getByLabel('Public key (npub or the start of a hex key)').fill(npubEncode(ann.pk))
    await expect.poll(() => rows('tenant-row', 'data-pubkey'), { timeout: WAIT }).toEqual([ann.pk])
    await page.getByLabel('Public key (npub or the start of a hex key)').fill(bob.pk.slice(0, 10))
    await expect.poll(() => rows('tenant-row', 'data-pubkey'), { timeout: WAIT }).toEqual([bob.pk])
    // A tenant's page lists their relays.
    await page.locator(`[data-testid="tenant-row"][data-pubkey="${bob.pk}"]`).getByRole('link').click()
    await expect.poll(() => rows('relay-row', 'data-subdomain'), { timeout: WAIT }).toEqual(['beta-club'])
  })

  it('filters all relays by status, plan, sync state and subdomain', async () => {
    const { page } = tp
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'All relays' }).click()
    await expect.poll(async () => (await rows('relay-row', 'data-subdomain')).sort(), { timeout: WAIT }).toEqual(['alpha-one', 'alpha-two', 'beta-club'])
    await screenshots(page, 'admin-relays')
    await page.getByLabel('Status').selectOption('inactive')
    await expect.poll(() => rows('relay-row', 'data-subdomain'), { timeout: WAIT }).toEqual(['beta-club'])
    await page.getByLabel('Status').selectOption('')
    await page.getByLabel('Plan').selectOption('basic')
    await expect.poll(() => rows('relay-row', 'data-subdomain'), { timeout: WAIT }).toEqual(['alpha-two'])
    await page.getByLabel('Plan').selectOption('')
    await page.getByLabel('Subdomain starts with').fill('alp')
    await expect.poll(() => rows('relay-row', 'data-subdomain'), { timeout: WAIT }).toEqual(['alpha-one', 'alpha-two'])
    await page.getByLabel('Sync').selectOption('error')
    await page.getByTestId('no-relays').getByText('No relay matches these filters.').waitFor()
    await page.getByLabel('Sync').selectOption('')
    await page.getByLabel('Subdomain starts with').fill('')
    await expect.poll(() => rows('relay-row', 'data-subdomain'), { timeout: WAIT }).toHaveLength(3)
  })

  it('edits every toggle of a relay, including those a tenant sees gated', async () => {
    const { page } = tp
    const engines = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/engines')
    await page.locator('[data-testid="relay-row"][data-subdomain="alpha-two"]').getByRole('link', { name: 'alpha-two' }).click()
    await page.getByRole('heading', { name: 'alpha-two' }).waitFor()
    await page.getByText(npubEncode(ann.pk)).waitFor()
    // One embedded engine: the page names it, and there is nowhere to move the relay to.
    expect(await page.getByTestId('relay-engine').textContent()).toBe('embedded')
    expect(((await (await engines).json()) as { data: { items: unknown[] } }).data.items).toHaveLength(1)
    const switches = page.getByRole('switch')
    expect(await switches.count()).toBe(7)
    for (const name of ['Public join', 'Strip signatures', 'Groups', 'Relay management', 'Blossom media', 'LiveKit audio and video', 'Push notifications']) {
      const s = page.getByRole('switch', { name })
      await expect.poll(() => s.isDisabled(), { timeout: WAIT }).toBe(false)
      await s.check()
      await expect.poll(() => s.isChecked(), { timeout: WAIT }).toBe(true)
    }
    await page.locator('[data-testid="sync-state"][data-state="synced"]').waitFor({ state: 'attached' })
    // Long after the engines were listed (seven saves since): no engine section, no move control.
    expect(await page.getByRole('region', { name: 'Engine' }).count()).toBe(0)
    expect(await page.getByRole('button', { name: 'Move to engine…' }).count()).toBe(0)
    const relay = (await caravel.api(admin, 'GET', `/api/relays/${ids['alpha-two']}`)).data
    expect(relay).toMatchObject({
      policy_public_join: true,
      policy_strip_signatures: true,
      groups_enabled: true,
      management_enabled: true,
      blossom_enabled: true,
      livekit_enabled: true,
      push_enabled: true,
    })
    await screenshots(page, 'admin-relay')
  })

  it('shows a sync error with its message, finds it by filter, and retries on demand', async () => {
    const { page } = tp
    // The engine goes away; the next change cannot reach it.
    await caravel.server.engine!.close()
    await page.getByLabel('Name', { exact: true }).fill('Alpha Two')
    await page.getByRole('button', { name: 'Save information' }).click()
    await page.locator('[data-testid="sync-state"][data-state="error"]').waitFor()
    const message = await page.getByTestId('sync-error').textContent()
    expect(message).toContain('The relay engine has not taken the latest settings yet.')
    const stored = (await caravel.api(admin, 'GET', `/api/relays/${ids['alpha-two']}`)).data.sync_error
    expect(stored).not.toBe('')
    expect(message).toContain(stored)
    await page.getByTestId('sync-badge').getByText('Sync error').waitFor()
    await screenshots(page, 'admin-relay-sync-error')
    // Force re-sync: still failing, still explained.
    const before = (await caravel.api(admin, 'GET', `/api/relays/${ids['alpha-two']}/activity?limit=100`)).data.items.length
    await page.getByRole('button', { name: 'Force re-sync' }).click()
    await expect
      .poll(async () => (await caravel.api(admin, 'GET', `/api/relays/${ids['alpha-two']}/activity?limit=100`)).data.items.length, { timeout: WAIT })
      .toBeGreaterThan(before)
    await page.locator('[data-testid="sync-state"][data-state="error"]').waitFor()
    // The relays list finds it under "sync error".
    await page.getByRole('link', { name: '← All relays' }).click()
    await page.getByLabel('Sync').selectOption('error')
    await expect.poll(() => rows('relay-row', 'data-subdomain'), { timeout: WAIT }).toEqual(['alpha-two'])
  })

  it('deactivates a relay', async () => {
    const { page } = tp
    await page.getByLabel('Sync').selectOption('')
    await page.locator('[data-testid="relay-row"][data-subdomain="alpha-one"]').getByRole('link', { name: 'alpha-one' }).click()
    await page.getByRole('button', { name: 'Deactivate relay' }).click()
    await page.getByRole('dialog', { name: 'Deactivate alpha-one?' }).getByRole('button', { name: 'Deactivate' }).click()
    await expect.poll(() => page.getByTestId('status-badge').textContent(), { timeout: WAIT }).toBe('Inactive')
    expect((await caravel.api(ann, 'GET', `/api/relays/${ids['alpha-one']}`)).data.status).toBe('inactive')
  })
})
