// A tenant runs the community of a relay from the dashboard, in a real browser against a real `caravel serve`:
// members (the API's refusals in words: management off, plan full), moderation with the management switch,
// exempt kinds, invites created, copied and revoked, a real join through the public invite page by another key
// (and the refusals of a revoked code and of a full relay), who joined with which code, the stats charts with the
// plan limit, and an export downloaded then imported into another relay, with a malformed line reported by number.
import { readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { authedRelay, publish, query, sign, tempDir } from '../engine/helpers.js'
import { freePort } from '../helpers/ports.js'
import { shortNpubForTest } from './format.js'
import { keys, launchChromium, openPage, PHONE, screenshots, startCaravel, takeConsoleError, WAIT, type Caravel, type TestPage } from './harness.js'

const tenant = keys()
const dave = keys() // added from the dashboard
const carol = keys() // joins with an invite
const frank = keys() // finds the relay full
const eve = keys() // banned
const SVG = "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 8 8'><rect width='8' height='8' fill='#f59e0b'/></svg>"

let caravel: Caravel
let browser: Browser
let pictures: Server
let pictureUrl = ''
let tp: TestPage
let relayId = ''
let relayUrl = ''
let copyId = ''
let inviteLink = ''
let inviteCode = ''
let revokedLink = ''
let exported = ''
const work = tempDir()

async function createSyncedRelay(subdomain: string, name: string): Promise<{ id: string; url: string }> {
  const created = await caravel.api(tenant, 'POST', '/api/relays', { subdomain, plan: 'free', info_name: name, info_description: `The ${name} of the e2e tests` })
  if (created.status !== 201) throw new Error(`relay ${subdomain} not created: ${JSON.stringify(created)}`)
  // Runs in beforeAll too, where expect.poll cannot: wait for the engine to have it.
  for (let deadline = Date.now() + WAIT; !(await caravel.api(tenant, 'GET', `/api/relays/${created.data.id}`)).data.synced; ) {
    if (Date.now() > deadline) throw new Error(`relay ${subdomain} did not sync`)
    await new Promise((r) => setTimeout(r, 100))
  }
  return { id: created.data.id, url: created.data.url }
}

async function openTab(name: string): Promise<void> {
  await tp.page.getByRole('tab', { name }).click()
  await tp.page.getByRole('tab', { name, selected: true }).waitFor()
}

async function noHorizontalOverflow(where: string): Promise<void> {
  const overflow = await tp.page.evaluate('document.documentElement.scrollWidth - window.innerWidth')
  expect(overflow, `horizontal overflow on ${where}`).toBeLessThanOrEqual(0)
}

beforeAll(async () => {
  pictures = createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/svg+xml' }).end(SVG))
  const port = await freePort()
  await new Promise<void>((resolve) => pictures.listen(port, '127.0.0.1', resolve))
  pictureUrl = `http://127.0.0.1:${port}/carol.svg`
  caravel = await startCaravel()
  ;({ id: relayId, url: relayUrl } = await createSyncedRelay('club', 'Harbour Club'))
  browser = await launchChromium()
  tp = await openPage(browser, caravel.base, { signer: tenant })
  await tp.page.goto('/')
  await tp.page.getByRole('button', { name: 'Sign in with extension' }).click()
  await tp.page.getByRole('heading', { name: 'My relays' }).waitFor()
})

afterEach(() => {
  expect(tp.errors).toEqual([])
})

afterAll(async () => {
  await browser?.close()
  await caravel?.close()
  await new Promise((resolve) => pictures?.close(resolve))
})

describe('community tools in the dashboard', () => {
  it('explains that adding members needs relay management while it is off, with the refusal in words', async () => {
    const { page } = tp
    await page.goto(`/relays/${relayId}?tab=members`)
    await page.getByRole('tab', { name: 'Members', selected: true }).waitFor()
    const owner = page.locator(`[data-testid="member-row"][data-pubkey="${tenant.pk}"]`)
    await owner.getByTestId('member-role').getByText('Owner').waitFor()
    await owner.getByTestId('member-not-counted').waitFor()
    expect(await page.getByTestId('member-meter-text').textContent()).toBe('0 of 10 members used')
    await page.getByLabel('Public key').fill(dave.pk)
    await page.getByRole('button', { name: 'Add member' }).click()
    await page
      .getByTestId('add-member-error')
      .getByText('Turn on relay management (NIP-86) for this relay to manage members and bans.')
      .waitFor()
    takeConsoleError(tp, /status of 409/)
    // The moderation tab says why and offers the switch; no bans are asked for meanwhile.
    await openTab('Moderation')
    await page.getByTestId('management-off').waitFor()
    expect(await page.getByTestId('banned-pubkeys').count()).toBe(0)
  })

  it('turns management on, bans and lifts a pubkey and an event, with reasons', async () => {
    const { page } = tp
    await page.getByRole('switch', { name: 'Relay management' }).check()
    await page.getByTestId('banned-pubkeys').waitFor()
    expect(await page.getByTestId('management-off').count()).toBe(0)
    const people = page.getByTestId('banned-pubkeys')
    await people.getByText('Nobody is banned.').waitFor()
    await people.getByLabel('Public key').fill(eve.pk)
    await people.getByLabel('Reason (optional)').fill('spam')
    await people.getByRole('button', { name: 'Ban', exact: true }).click()
    const eveRow = page.locator(`[data-testid="banned-pubkey"][data-key="${eve.pk}"]`)
    await eveRow.getByText('Reason: spam').waitFor()
    expect(await eveRow.textContent()).toContain(shortNpubForTest(eve.pk))
    expect((await caravel.api(tenant, 'GET', `/api/relays/${relayId}/bans`)).data.items.map((b: { pubkey: string }) => b.pubkey)).toEqual([eve.pk])

    // An event on the relay, banned with a reason: it is gone from the relay.
    const owner = await authedRelay(relayUrl, tenant)
    const note = sign(tenant, { kind: 1, content: 'to be banned' })
    expect(await publish(owner, note)).toMatch(/^ok:/)
    const events = page.getByTestId('banned-events')
    await events.getByLabel('Event id').fill(note.id)
    await events.getByLabel('Reason (optional)').fill('off topic')
    await events.getByRole('button', { name: 'Ban event' }).click()
    await page.locator(`[data-testid="banned-event"][data-key="${note.id}"]`).getByText('Reason: off topic').waitFor()
    expect(await query(owner, [{ ids: [note.id] }])).toEqual([])
    owner.close()
    await screenshots(page, 'relay-moderation')

    await page.getByRole('button', { name: `Lift the ban on ${shortNpubForTest(eve.pk)}` }).click()
    await eveRow.waitFor({ state: 'detached' })
    await people.getByText('Nobody is banned.').waitFor()
    await page.getByRole('button', { name: `Lift the ban on event ${note.id}` }).click()
    await events.getByText('No event is banned.').waitFor()
    const bans = await caravel.api(tenant, 'GET', `/api/relays/${relayId}/bans`)
    const bannedEvents = await caravel.api(tenant, 'GET', `/api/relays/${relayId}/banned-events`)
    expect([bans.data.items, bannedEvents.data.items]).toEqual([[], []])
  })

  it('saves the exempt kinds: defaults as checkboxes and custom kinds', async () => {
    const { page } = tp
    const section = page.getByTestId('exempt-kinds')
    for (const label of ['Gift wraps (1059)', 'Zap receipts (9735)', 'Wallet info (13194)', 'Wallet requests (23194)', 'Wallet responses (23195)', 'Remote signing (24133)']) {
      expect(await section.getByLabel(label).isChecked(), label).toBe(true)
    }
    await section.getByLabel('Remote signing (24133)').uncheck()
    await section.getByLabel('Other kinds (optional)').fill('7, seven')
    await section.getByRole('button', { name: 'Save exempt kinds' }).click()
    await section.getByTestId('exempt-kinds-error').getByText('“seven” is not an event kind (a whole number from 0 to 65535).').waitFor()
    await section.getByLabel('Other kinds (optional)').fill('7')
    await section.getByRole('button', { name: 'Save exempt kinds' }).click()
    await section.getByText('Exempt kinds saved.').waitFor()
    expect((await caravel.api(tenant, 'GET', `/api/relays/${relayId}`)).data.exempt_kinds).toEqual([7, 1059, 9735, 13194, 23194, 23195])
  })

  it('adds a member, refuses the eleventh on the free plan with the reason, and removes one after confirming', async () => {
    const { page } = tp
    await openTab('Members')
    await page.getByLabel('Public key').fill(dave.pk)
    await page.getByRole('button', { name: 'Add member' }).click()
    await page.getByText('Member added.').waitFor()
    const daveRow = page.locator(`[data-testid="member-row"][data-pubkey="${dave.pk}"]`)
    await daveRow.getByTestId('member-joined').getByText('Added from the dashboard', { exact: false }).waitFor()
    expect(await daveRow.getByTestId('member-name').textContent()).toBe(shortNpubForTest(dave.pk))
    expect(await page.getByTestId('member-meter-text').textContent()).toBe('1 of 10 members used')
    // Nine more from another client: the plan is full.
    for (let i = 0; i < 9; i++) expect((await caravel.api(tenant, 'POST', `/api/relays/${relayId}/members`, { pubkey: keys().pk })).status).toBe(200)
    await page.getByLabel('Public key').fill(frank.pk)
    await page.getByRole('button', { name: 'Add member' }).click()
    await page.getByTestId('add-member-error').getByText('The Free plan allows 10 members and this relay has 10; upgrade to add more.').waitFor()
    takeConsoleError(tp, /status of 422/)
    await expect.poll(() => page.getByTestId('member-meter-text').textContent(), { timeout: WAIT }).toBe('10 of 10 members used — the plan is full')
    await screenshots(page, 'relay-members-full')
    // Removing asks first; Escape keeps the member.
    await daveRow.getByRole('button', { name: `Remove ${shortNpubForTest(dave.pk)}` }).click()
    const dialog = page.getByRole('dialog', { name: `Remove ${shortNpubForTest(dave.pk)}?` })
    await dialog.waitFor()
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'hidden' })
    await daveRow.getByRole('button', { name: `Remove ${shortNpubForTest(dave.pk)}` }).click()
    await dialog.getByRole('button', { name: 'Remove' }).click()
    await daveRow.waitFor({ state: 'detached' })
    await expect.poll(() => page.getByTestId('member-meter-text').textContent(), { timeout: WAIT }).toBe('9 of 10 members used')
  })

  it('creates invites, copies a link, shows its QR code and revokes another after confirming', async () => {
    const { page } = tp
    await openTab('Invites')
    await page.getByText('No invites yet.').waitFor()
    await page.getByLabel('Label (optional)').fill('Flyers')
    await page.getByLabel('Max uses (optional)').fill('5')
    await page.getByRole('button', { name: 'Create invite' }).click()
    const flyers = page.getByTestId('invite').filter({ hasText: 'Flyers' })
    await flyers.waitFor()
    inviteCode = (await flyers.getByTestId('invite-code').textContent())!
    inviteLink = (await flyers.getByTestId('invite-link').textContent())!
    expect(inviteLink).toBe(`${caravel.base}/join?r=${encodeURIComponent(relayUrl)}&c=${inviteCode}`)
    expect(await flyers.getByTestId('invite-uses').textContent()).toBe('0 / 5')
    expect(await flyers.getByTestId('invite-state').textContent()).toBe('Active')
    await flyers.getByRole('button', { name: `Copy link ${inviteLink}` }).click()
    await flyers.getByText('Copied').waitFor()
    await flyers.getByRole('button', { name: 'QR code' }).click()
    await flyers.getByRole('img', { name: `QR code of the invite link ${inviteLink}` }).waitFor()

    await page.getByLabel('Label (optional)').fill('Old poster')
    await page.getByRole('button', { name: 'Create invite' }).click()
    const poster = page.getByTestId('invite').filter({ hasText: 'Old poster' })
    await poster.waitFor()
    const posterCode = (await poster.getByTestId('invite-code').textContent())!
    revokedLink = (await poster.getByTestId('invite-link').textContent())!
    await poster.getByRole('button', { name: `Revoke invite ${posterCode}` }).click()
    const dialog = page.getByRole('dialog', { name: `Revoke invite ${posterCode}?` })
    await dialog.getByRole('button', { name: 'Revoke' }).click()
    await expect.poll(() => poster.getByTestId('invite-state').textContent(), { timeout: WAIT }).toBe('Revoked')
    expect(await poster.getByTestId('invite-link').count()).toBe(0)
    await screenshots(page, 'relay-invites')
  })

  it('lets another person join through the public invite page with their signer', async () => {
    const jp = await openPage(browser, caravel.base, { signer: carol })
    try {
      // A revoked code is refused, in words, with the relay's own message.
      await jp.page.goto(revokedLink.replace(caravel.base, ''))
      await jp.page.getByRole('heading', { name: 'Harbour Club' }).waitFor()
      await jp.page.getByRole('button', { name: 'Join with your Nostr signer' }).click()
      await jp.page.locator('[data-testid="join-result"] [data-result="invalid-code"]').waitFor()

      await jp.page.goto(inviteLink.replace(caravel.base, ''))
      await jp.page.getByRole('heading', { name: 'Harbour Club' }).waitFor()
      await jp.page.getByTestId('join-description').getByText('The Harbour Club of the e2e tests').waitFor()
      await screenshots(jp.page, 'join-page')
      await jp.page.getByRole('button', { name: 'Join with your Nostr signer' }).click()
      await jp.page.locator('[data-testid="join-result"] [data-result="joined"]').getByText('You joined the relay. Welcome!').waitFor()
      const flotilla = await jp.page.getByRole('link', { name: 'Open in Flotilla' }).getAttribute('href')
      expect(flotilla).toBe(`https://app.flotilla.social/join?r=${encodeURIComponent(relayUrl)}&c=${inviteCode}`)
      await screenshots(jp.page, 'join-page-joined')
      // Signed by the extension, each time: the AUTH answer, then the join request with the code, protected.
      expect(jp.signatures.map((t) => t.kind)).toEqual([22242, 28934, 22242, 28934])
      expect(jp.signatures[3]!.tags).toEqual([['-'], ['claim', inviteCode]])
      await jp.page.setViewportSize(PHONE)
      const overflow = await jp.page.evaluate('document.documentElement.scrollWidth - window.innerWidth')
      expect(overflow, 'horizontal overflow on the join page').toBeLessThanOrEqual(0)
      expect(jp.errors).toEqual([])
    } finally {
      await jp.context.close()
    }
    // Carol, now a member, publishes her profile and a note on the relay.
    const relay = await authedRelay(relayUrl, carol)
    expect(await publish(relay, sign(carol, { kind: 0, content: JSON.stringify({ name: 'Carol', picture: pictureUrl, nip05: 'carol@example.com' }) }))).toMatch(/^ok:/)
    expect(await publish(relay, sign(carol, { kind: 1, content: 'hello harbour' }))).toMatch(/^ok:/)
    relay.close()
  })

  it('refuses a join when the relay is full, in words', async () => {
    const fp = await openPage(browser, caravel.base, { signer: frank })
    try {
      await fp.page.goto(inviteLink.replace(caravel.base, ''))
      await fp.page.getByRole('button', { name: 'Join with your Nostr signer' }).click()
      await fp.page.locator('[data-testid="join-result"] [data-result="relay-full"]').waitFor()
      expect(await fp.page.getByTestId('join-result').textContent()).toContain('This relay is full')
      expect(fp.errors).toEqual([])
    } finally {
      await fp.context.close()
    }
  })

  it('shows who joined with which code, with their name and picture', async () => {
    const { page } = tp
    await page.reload()
    await page.getByRole('tab', { name: 'Invites', selected: true }).waitFor()
    const flyers = page.getByTestId('invite').filter({ hasText: 'Flyers' })
    const joined = flyers.locator(`[data-testid="invite-join"][data-pubkey="${carol.pk}"]`)
    await joined.getByText('Carol').waitFor()
    expect(await joined.locator('img').getAttribute('src')).toBe(pictureUrl)
    expect(await flyers.getByTestId('invite-uses').textContent()).toBe('1 / 5')
    await openTab('Members')
    const row = page.locator(`[data-testid="member-row"][data-pubkey="${carol.pk}"]`)
    await row.getByTestId('member-name').getByText('Carol').waitFor()
    expect(await row.getByTestId('member-avatar').getAttribute('src')).toBe(pictureUrl)
    expect(await row.getByTestId('member-nip05').textContent()).toBe('carol@example.com')
    expect(await row.getByTestId('member-joined').textContent()).toContain(`Joined with invite ${inviteCode}`)
    expect(await page.getByTestId('member-meter-text').textContent()).toBe('10 of 10 members used — the plan is full')
    await screenshots(page, 'relay-members')
  })

  it('draws the stats: tiles, members per day against the plan limit, events per day by kind', async () => {
    const { page } = tp
    await openTab('Stats')
    await page.getByTestId('stat-members').getByText('10 / 10').waitFor()
    expect(Number(await page.getByTestId('stat-events').textContent())).toBeGreaterThan(0)
    const members = page.getByTestId('members-figure')
    expect(await members.getByTestId('members-figure-summary').textContent()).toContain('The plan allows 10.')
    await members.locator('canvas').waitFor()
    expect(await members.locator('.u-legend').textContent()).toContain('Member limit')
    const kinds = page.getByTestId('kinds-figure')
    await kinds.locator('canvas').waitFor()
    expect(await kinds.locator('.u-legend').textContent()).toContain('Notes (kind 1)')
    // The text alternative: the numbers as a table.
    await members.getByText('Show the numbers as a table').click()
    const today = new Date().toISOString().slice(0, 10)
    const lastRow = members.getByTestId('members-table').locator('tbody tr').last()
    expect((await lastRow.locator('th, td').allTextContents()).slice(0, 1)).toEqual([today])
    await screenshots(page, 'relay-stats')
  })

  it('exports the events with progress, and imports the file into another relay with a summary', async () => {
    const { page } = tp
    await openTab('Data')
    const download = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Export events' }).click()
    const file = await download
    const today = new Date().toISOString().slice(0, 10)
    expect(file.suggestedFilename()).toBe(`club-${today}.jsonl`)
    exported = join(work, file.suggestedFilename())
    await file.saveAs(exported)
    const lines = readFileSync(exported, 'utf8').split('\n').filter((l) => l !== '')
    expect(lines.length).toBeGreaterThan(0)
    await page.getByTestId('export-done').getByText(`Saved club-${today}.jsonl: ${lines.length} events.`).waitFor()
    expect(await page.getByTestId('export-progress').textContent()).toContain(`${lines.length} of ${lines.length} events`)
    const ids = lines.map((l) => (JSON.parse(l) as { id: string }).id)

    ;({ id: copyId } = await createSyncedRelay('club-copy', 'Harbour Copy'))
    await page.goto(`/relays/${copyId}?tab=data`)
    await page.getByLabel('JSONL file').setInputFiles(exported)
    await page.getByRole('button', { name: 'Import events' }).click()
    await page.getByTestId('import-done').waitFor()
    const count = async (id: string) => Number(await page.getByTestId(id).textContent())
    expect((await count('import-accepted')) + (await count('import-skipped')) + (await count('import-refused'))).toBe(lines.length)
    expect(await count('import-accepted')).toBeGreaterThan(0)
    // Carol's note and profile came along.
    const copyUrl = (await caravel.api(tenant, 'GET', `/api/relays/${copyId}`)).data.url
    const copy = await authedRelay(copyUrl, tenant)
    const there = (await query(copy, [{ authors: [carol.pk] }])).map((e) => e.id)
    copy.close()
    const carolIds = lines.map((l) => JSON.parse(l) as { id: string; pubkey: string }).filter((e) => e.pubkey === carol.pk).map((e) => e.id)
    expect(carolIds.length).toBe(2)
    expect(there.sort()).toEqual(carolIds.sort())
    expect(ids.length).toBe(lines.length)
  })

  it('reports a malformed line by its number and imports the rest', async () => {
    const { page } = tp
    const good = sign(tenant, { kind: 1, content: 'imported note' })
    const tampered = { ...sign(tenant, { kind: 1, content: 'original' }), content: 'changed' }
    const path = join(work, 'mixed.jsonl')
    writeFileSync(path, [JSON.stringify(good), '{"this is": not json', JSON.stringify(tampered), ''].join('\r\n'))
    await page.getByLabel('JSONL file').setInputFiles(path)
    await page.getByRole('button', { name: 'Import events' }).click()
    await page.getByTestId('import-done').waitFor()
    expect(await page.getByTestId('import-accepted').textContent()).toBe('1')
    expect(await page.getByTestId('import-refused').textContent()).toBe('2')
    const refused = page.getByTestId('import-refused-line')
    expect(await refused.evaluateAll((els) => els.map((e) => e.getAttribute('data-line')))).toEqual(['2', '3'])
    await screenshots(page, 'relay-import')
  })

  it('fits every tab on a phone screen', async () => {
    const { page } = tp
    await page.setViewportSize(PHONE)
    for (const tab of ['members', 'invites', 'moderation', 'stats', 'data']) {
      await page.goto(`/relays/${relayId}?tab=${tab}`)
      await page.getByRole('tabpanel').waitFor()
      await page.waitForLoadState('networkidle')
      await noHorizontalOverflow(`the ${tab} tab`)
    }
    await page.setViewportSize({ width: 1280, height: 900 })
  })
})
