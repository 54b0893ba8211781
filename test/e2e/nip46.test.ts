// Sign-in with a NIP-46 remote signer, in a browser without any extension: a bunker:// URI pasted in, and
// a nostrconnect:// QR code "scanned" by a signer app. The remote signer is run by the test over a local
// relay; it signs exactly one request (the session), whatever the dashboard does afterwards.
import type { Browser } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { shortNpubForTest } from './format.js'
import { LocalNostrRelay } from '../helpers/nostr-relay.js'
import { TestBunker } from './bunker.js'
import { keys, launchChromium, openPage, screenshots, startCaravel, WAIT, type Caravel, type TestPage } from './harness.js'

let caravel: Caravel
let browser: Browser
let relay: LocalNostrRelay
const pages: TestPage[] = []

beforeAll(async () => {
  caravel = await startCaravel()
  relay = new LocalNostrRelay()
  await relay.start()
  browser = await launchChromium()
})

afterEach(() => {
  for (const tp of pages) expect(tp.errors).toEqual([])
})

afterAll(async () => {
  await browser?.close()
  await relay?.close()
  await caravel?.close()
})

describe('NIP-46 sign-in', () => {
  it('signs in with a bunker URI, the signer asked to sign once', async () => {
    const user = keys()
    const bunker = new TestBunker(relay.url, user.sk)
    await bunker.start()
    const tp = await openPage(browser, caravel.base, { relays: [relay.url] })
    pages.push(tp)
    const { page } = tp
    await page.goto('/')
    // Without an extension the bunker tab is open, and the extension tab says why it cannot be used.
    await page.getByRole('textbox', { name: 'Bunker URI' }).fill(bunker.bunkerUri)
    await page.getByRole('tab', { name: 'Browser extension' }).click()
    await page.getByText('No Nostr extension was found in this browser.').waitFor()
    expect(await page.getByRole('button', { name: 'Sign in with extension' }).isDisabled()).toBe(true)
    await page.getByRole('tab', { name: 'Bunker URI' }).click()
    await page.getByRole('textbox', { name: 'Bunker URI' }).fill(bunker.bunkerUri)
    await page.getByRole('button', { name: 'Connect' }).click()
    await page.getByRole('heading', { name: 'My relays' }).waitFor()
    // No profile on the relay: the short npub stands in for a name.
    expect(await page.getByTestId('who-name').textContent()).toBe(shortNpubForTest(user.pk))
    expect((await caravel.api(user, 'GET', '/api/identity')).data).toMatchObject({ pubkey: user.pk, is_tenant: true })
    expect(bunker.requests.filter((m) => m === 'sign_event')).toHaveLength(1)
    // Later requests ride on the session cookie; the signer is not asked again.
    await page.getByRole('link', { name: 'New relay' }).first().click()
    await page.getByLabel('Subdomain').fill('bunker-club')
    await page.getByText('bunker-club.localhost is available').waitFor()
    await page.getByRole('button', { name: 'Create relay' }).click()
    await page.getByRole('heading', { name: 'bunker-club' }).waitFor()
    expect(bunker.requests.filter((m) => m === 'sign_event')).toHaveLength(1)
    bunker.close()
  })

  it('refuses a malformed bunker URI in words', async () => {
    const tp = await openPage(browser, caravel.base, { relays: [relay.url] })
    pages.push(tp)
    await tp.page.goto('/')
    await tp.page.getByRole('textbox', { name: 'Bunker URI' }).fill('bunker://not-a-key')
    await tp.page.getByRole('button', { name: 'Connect' }).click()
    await tp.page.getByRole('alert').getByText('That is not a bunker URI.', { exact: false }).waitFor()
  })

  it('signs in by a signer app scanning the nostrconnect QR code', async () => {
    const user = keys()
    const app = new TestBunker(relay.url, user.sk)
    await app.start()
    const tp = await openPage(browser, caravel.base, { relays: [relay.url] })
    pages.push(tp)
    const { page } = tp
    await page.goto('/')
    await page.getByRole('tab', { name: 'Signer app (QR)' }).click()
    await page.getByRole('img', { name: 'Nostr Connect QR code' }).waitFor()
    const uri = await page.getByTestId('nostrconnect-uri').inputValue()
    expect(uri).toMatch(/^nostrconnect:\/\/[0-9a-f]{64}\?/)
    expect(new URL(uri).searchParams.getAll('relay')).toEqual([relay.url])
    await screenshots(page, 'sign-in-qr')
    const client = new URL(uri).host
    await relay.waitForSubscription((f) => (f['#p'] ?? []).includes(client), WAIT)
    await app.acceptNostrConnect(uri)
    await page.getByRole('heading', { name: 'My relays' }).waitFor()
    expect((await caravel.api(user, 'GET', '/api/identity')).data.pubkey).toBe(user.pk)
    expect(app.requests.filter((m) => m === 'sign_event')).toHaveLength(1)
    app.close()
  })
})
