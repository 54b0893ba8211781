// A tenant in a real browser: signs in with a NIP-07 extension (asked once), creates a free relay and sees
// it go live, connects to it with a Nostr client, changes settings and plan (refusals shown in words),
// pages through the activity, deactivates and reactivates it, and signs out.
import type { Browser } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { authedRelay, httpRequest, plainRelay, publish, query, sign } from '../engine/helpers.js'
import { LocalNostrRelay } from '../helpers/nostr-relay.js'
import { keys, launchChromium, openPage, PHONE, screenshots, startCaravel, WAIT, type Caravel, type TestPage } from './harness.js'

const tenant = keys()
const other = keys()
const PICTURE = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 8 8'%3E%3Crect width='8' height='8' fill='%23f59e0b'/%3E%3C/svg%3E"

let caravel: Caravel
let browser: Browser
let profiles: LocalNostrRelay
let tp: TestPage
let relayId = ''
let relayUrl = ''

/** Takes one expected console error (e.g. the browser's own log line for a refused request) off the list. */
function consumeError(pattern: RegExp): void {
  const i = tp.errors.findIndex((e) => pattern.test(e))
  expect(i, `expected a console error matching ${pattern}; saw ${JSON.stringify(tp.errors)}`).toBeGreaterThanOrEqual(0)
  tp.errors.splice(i, 1)
}

async function waitForSyncState(state: 'synced' | 'syncing' | 'error'): Promise<void> {
  await tp.page.locator(`[data-testid="sync-state"][data-state="${state}"]`).waitFor({ state: 'attached' })
}

beforeAll(async () => {
  caravel = await startCaravel()
  profiles = new LocalNostrRelay()
  await profiles.start()
  // The tenant's Nostr profile, as a public relay would hold it.
  profiles.publish(sign(tenant, { kind: 0, content: JSON.stringify({ name: 'alice', display_name: 'Alice Tester', picture: PICTURE }) }))
  // Someone else already holds a subdomain.
  expect((await caravel.api(other, 'POST', '/api/relays', { subdomain: 'taken-club', plan: 'free' })).status).toBe(201)
  browser = await launchChromium()
  tp = await openPage(browser, caravel.base, { signer: tenant, relays: [profiles.url] })
})

afterEach(() => {
  expect(tp.errors).toEqual([])
})

afterAll(async () => {
  await browser?.close()
  await profiles?.close()
  await caravel?.close()
})

describe('tenant dashboard', () => {
  it('signs in with the extension, asking it once, and shows the Nostr profile', async () => {
    const { page } = tp
    await page.goto('/')
    await page.getByRole('heading', { name: 'Sign in to Caravel' }).waitFor()
    await screenshots(page, 'sign-in')
    await page.getByRole('button', { name: 'Sign in with extension' }).click()
    await page.getByRole('heading', { name: 'My relays' }).waitFor()
    await expect.poll(() => page.getByTestId('who-name').textContent(), { timeout: WAIT }).toBe('Alice Tester')
    await page.getByTestId('avatar').waitFor()
    await page.getByTestId('no-relays').waitFor()
    expect(tp.signatures.map((t) => t.kind)).toEqual([27235])
    // The session survives a reload without asking the signer again.
    await page.reload()
    await page.getByRole('heading', { name: 'My relays' }).waitFor()
    expect(tp.signatures).toHaveLength(1)
  })

  it('explains why a subdomain cannot be used, as it is typed', async () => {
    const { page } = tp
    await page.getByRole('link', { name: 'New relay' }).click()
    await page.getByRole('heading', { name: 'New relay' }).waitFor()
    const subdomain = page.getByLabel('Subdomain')
    const error = page.getByTestId('subdomain-error')
    const cases: [string, string][] = [
      ['ab', 'Subdomain must be 3 to 63 characters long.'],
      ['my_club', 'Subdomain may only contain lowercase letters, digits and hyphens.'],
      ['9lives', 'Subdomain must start with a letter.'],
      ['my--club', 'Subdomain must not contain two hyphens in a row.'],
      ['www', '"www" is reserved. Choose another subdomain.'],
      ['taken-club', 'This subdomain is already taken. Choose another one.'],
    ]
    for (const [typed, message] of cases) {
      await subdomain.fill(typed)
      await expect.poll(() => error.textContent(), { timeout: WAIT }).toBe(message)
      expect(await subdomain.getAttribute('aria-invalid')).toBe('true')
    }
    expect(await page.getByRole('button', { name: 'Create relay' }).isDisabled()).toBe(true)
    // Capitals are lowered as typed.
    await subdomain.fill('E2E-Club')
    expect(await subdomain.inputValue()).toBe('e2e-club')
    await page.getByText('e2e-club.localhost is available').waitFor()
    // Billing is off here: the picker says plainly that every plan is free, with prices and limits.
    await page.getByTestId('billing-off').waitFor()
    const basic = await page.getByTestId('plan-basic').textContent()
    expect(basic).toContain('Free here')
    expect(basic).toContain('$5 / month')
    expect(basic).toContain('Up to 100 members')
    expect(await page.getByTestId('plan-growth').textContent()).toContain('Unlimited members')
    await screenshots(page, 'new-relay')
  })

  it('creates a free relay and shows it going live', async () => {
    const { page } = tp
    await page.getByLabel('Name (optional)').fill('E2E Club')
    await page.getByLabel('Free', { exact: false }).first().check()
    // Hold the relay-sync reactor so "going live" is on screen, then let it run.
    caravel.server.relaySync.stop()
    await page.getByRole('button', { name: 'Create relay' }).click()
    await page.getByRole('heading', { name: 'E2E Club' }).waitFor()
    relayId = page.url().split('/relays/')[1]!
    await waitForSyncState('syncing')
    await page.getByText('Going live').first().waitFor()
    await screenshots(page, 'relay-going-live')
    await caravel.server.relaySync.start()
    await waitForSyncState('synced')
    await page.getByTestId('sync-badge').getByText('Live').waitFor()
    expect(await page.getByTestId('status-badge').textContent()).toBe('Active')
    expect(await page.getByTestId('members').textContent()).toBe('0 / 10')
    relayUrl = (await page.getByTestId('relay-url').textContent())!
    expect(relayUrl).toBe(`ws://e2e-club.localhost:${caravel.enginePort}`)
    await page.getByRole('button', { name: `Copy ${relayUrl}` }).click()
    await page.getByText('Copied').waitFor()
    await page.getByText('Relay created').waitFor()
    await page.getByText('Relay engine updated').waitFor()
  })

  it('serves the relay at the URL shown to a Nostr client', async () => {
    const client = await authedRelay(relayUrl, tenant)
    const note = sign(tenant, { kind: 1, content: 'hello from the dashboard test' })
    expect(await publish(client, note)).toMatch(/^ok:/)
    expect((await query(client, [{ kinds: [1] }])).map((e) => e.id)).toEqual([note.id])
    client.close()
  })

  it('lists the relay with its badges and URL', async () => {
    const { page } = tp
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My relays' }).click()
    const row = page.locator('[data-testid="relay-row"][data-subdomain="e2e-club"]')
    await row.waitFor()
    expect(await row.getByTestId('status-badge').textContent()).toBe('Active')
    expect(await row.getByTestId('sync-badge').textContent()).toBe('Live')
    expect(await row.getByTestId('relay-url').textContent()).toBe(relayUrl)
    await screenshots(page, 'relay-list')
    await row.getByRole('link', { name: 'E2E Club' }).click()
    await waitForSyncState('synced')
  })

  it('edits the relay information and the engine serves it', async () => {
    const { page } = tp
    await page.getByLabel('Icon address').fill('not a url')
    await page.getByTestId('edit-icon-error').getByText('Enter a web address starting with http:// or https://.').waitFor()
    await page.getByLabel('Icon address').fill('https://example.com/icon.png')
    await page.getByLabel('Name', { exact: true }).fill('Renamed Club')
    await page.getByLabel('Description').fill('A club for end-to-end tests')
    await page.getByRole('button', { name: 'Save information' }).click()
    await page.getByText('Saved.').waitFor()
    await page.getByRole('heading', { name: 'Renamed Club' }).waitFor()
    await waitForSyncState('synced')
    const info = await httpRequest(caravel.enginePort, { host: 'e2e-club.localhost', headers: { accept: 'application/nostr+json' } })
    expect(info.json()).toMatchObject({ name: 'Renamed Club', description: 'A club for end-to-end tests', icon: 'https://example.com/icon.png' })
  })

  it('gates features by plan and changes plan', async () => {
    const { page } = tp
    // On the free plan Blossom and LiveKit are off, disabled, and say why.
    const blossom = page.getByRole('switch', { name: 'Blossom media' })
    expect(await blossom.isDisabled()).toBe(true)
    await page.getByTestId('toggle-blossom_enabled').getByText('The Free plan does not include Blossom media. Switch to Basic or Growth to turn it on.').waitFor()
    expect(await page.getByRole('switch', { name: 'LiveKit audio and video' }).isDisabled()).toBe(true)
    // A policy toggle saves at once and reaches the engine.
    await page.getByRole('switch', { name: 'Public join' }).check()
    await waitForSyncState('synced')
    await expect.poll(async () => (await caravel.api(tenant, 'GET', `/api/relays/${relayId}`)).data.policy_public_join, { timeout: WAIT }).toBe(true)
    // Upgrade to Basic; the Blossom toggle opens up.
    await page.locator('#change-plan-basic').check()
    await page.getByRole('button', { name: 'Change plan' }).click()
    await page.getByText('Plan changed to Basic.').waitFor()
    await expect.poll(() => page.getByTestId('current-plan').textContent(), { timeout: WAIT }).toBe('Basic')
    expect(await page.getByTestId('members').textContent()).toBe('0 / 100')
    await pollEnabled(blossom)
    await blossom.check()
    await waitForSyncState('synced')
    await expect.poll(() => blossom.isChecked(), { timeout: WAIT }).toBe(true)
    // Back to Free is refused while Blossom is on, with the reason.
    await page.locator('#change-plan-free').check()
    await page.getByTestId('plan-problem').getByText('The Free plan does not include Blossom media. Turn it off before changing plan.').waitFor()
    expect(await page.getByRole('button', { name: 'Change plan' }).isDisabled()).toBe(true)
    await screenshots(page, 'relay-plan-refused')
    await blossom.uncheck()
    await waitForSyncState('synced')
    await expect.poll(() => page.getByTestId('plan-problem').count(), { timeout: WAIT }).toBe(0)
  })

  it('shows the API refusal of a downgrade below the member count, in words', async () => {
    const { page } = tp
    // Eleven people join through public join while the page shows 0 members; the API refuses the downgrade.
    for (let i = 0; i < 11; i++) {
      const k = keys()
      const r = await authedRelay(relayUrl, k)
      expect(await publish(r, sign(k, { kind: 28934, tags: [] }))).toMatch(/^ok:/)
      r.close()
    }
    await page.getByRole('button', { name: 'Change plan' }).click()
    await page
      .getByTestId('plan-error')
      .getByText('This relay has 11 members and the Free plan allows 10; remove members before changing plan.')
      .waitFor()
    consumeError(/status of 422/)
    // The page then knows the count, and explains before anyone clicks.
    await expect.poll(() => page.getByTestId('members').textContent(), { timeout: WAIT }).toBe('11 / 100')
    await page.getByTestId('plan-problem').getByText('This relay has 11 members and the Free plan allows 10. Remove members before changing plan.').waitFor()
    expect(await page.getByTestId('current-plan').textContent()).toBe('Basic')
  })

  it('pages through the activity timeline', async () => {
    const { page } = tp
    const items = page.getByTestId('activity-item')
    await expect.poll(() => items.count(), { timeout: WAIT }).toBe(10)
    await page.getByRole('button', { name: 'Show older activity' }).click()
    await expect.poll(() => items.count(), { timeout: WAIT }).toBeGreaterThan(10)
    expect(await items.last().textContent()).toContain('Relay created')
  })

  it('deactivates and reactivates with confirmation, from the keyboard too', async () => {
    const { page } = tp
    const deactivate = page.getByRole('button', { name: 'Deactivate relay' })
    // Escape cancels the dialog and nothing changes.
    await deactivate.focus()
    await page.keyboard.press('Enter')
    const dialog = page.getByRole('dialog', { name: 'Deactivate e2e-club?' })
    await dialog.waitFor()
    await screenshots(page, 'relay-deactivate-dialog')
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'hidden' })
    expect(await page.getByTestId('status-badge').textContent()).toBe('Active')
    // Confirmed: the relay stops serving.
    await deactivate.click()
    await dialog.getByRole('button', { name: 'Deactivate' }).click()
    await expect.poll(() => page.getByTestId('status-badge').textContent(), { timeout: WAIT }).toBe('Inactive')
    await waitForSyncState('synced')
    await expect(plainRelay(relayUrl)).rejects.toThrow()
    await screenshots(page, 'relay-inactive')
    await page.getByRole('button', { name: 'Reactivate relay' }).click()
    await page.getByRole('dialog', { name: 'Reactivate e2e-club?' }).getByRole('button', { name: 'Reactivate' }).click()
    await expect.poll(() => page.getByTestId('status-badge').textContent(), { timeout: WAIT }).toBe('Active')
    await waitForSyncState('synced')
    const again = await authedRelay(relayUrl, tenant)
    expect(await query(again, [{ kinds: [1] }])).toHaveLength(1)
    again.close()
  })

  it('fits a phone screen', async () => {
    const { page } = tp
    await page.setViewportSize(PHONE)
    for (const path of ['/relays', `/relays/${relayId}`, '/relays/new']) {
      await page.goto(path)
      await page.getByRole('heading', { level: 1 }).waitFor()
      const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')
      expect(overflow, `horizontal overflow on ${path}`).toBeLessThanOrEqual(0)
    }
    await page.setViewportSize({ width: 1280, height: 900 })
  })

  it('signs out', async () => {
    const { page } = tp
    await page.goto('/relays')
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByRole('heading', { name: 'Sign in to Caravel' }).waitFor()
    await page.reload()
    await page.getByRole('heading', { name: 'Sign in to Caravel' }).waitFor()
    expect((await tp.context.cookies()).map((c) => c.name)).not.toContain('caravel_session')
  })
})

async function pollEnabled(locator: { isDisabled(): Promise<boolean> }): Promise<void> {
  await expect.poll(() => locator.isDisabled(), { timeout: WAIT }).toBe(false)
}
