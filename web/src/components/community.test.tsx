// The relay page's community tabs against a scripted API (jsdom): members with names, pictures, roles and the
// plan meter, adding (and the API's refusal in words) and removing with a confirmation; invites created, listed
// with who joined, revoked; moderation explained while management is off, bans paged and lifted while on; exempt
// kinds saved; the import summary; the stats tiles and tables; keyboard tabs.
import { createSignal } from 'solid-js'
import { describe, expect, it } from 'vitest'
import { button, ok, refuse, settle, text, useMount, useScriptedApi } from '../../test/dom'
import { PK, relayDetail as relay } from '../../test/fixtures'
import type { Invite, Member, RelayStats } from '../lib/api'
import { shortNpub } from '../lib/format'
import { memberSeries, kindSeries } from '../lib/stats'
import { ImportSummary } from './DataPanel'
import { InvitesPanel } from './InvitesPanel'
import { MembersPanel } from './MembersPanel'
import { ModerationPanel } from './ModerationPanel'
import { KindsTable, MembersTable, StatsTiles } from './StatsTables'
import { Tabs } from './Tabs'

const { calls, script } = useScriptedApi()
const mount = useMount()

const type = (input: HTMLInputElement, value: string) => {
  input.value = value
  input.dispatchEvent(new Event('input', { bubbles: true }))
}

const member = (over: Partial<Member>): Member => ({
  pubkey: PK('b'),
  npub: 'npub1b',
  name: null,
  picture: null,
  nip05: null,
  role: 'member',
  counts: true,
  joined_at: null,
  via: null,
  code: null,
  ...over,
})

describe('members tab', () => {
  const owner = member({ pubkey: PK('a'), name: 'Alice', role: 'owner', counts: false, picture: 'https://example.com/a.png' })
  const bob = member({ pubkey: PK('b'), name: 'Bob', nip05: 'bob@example.com', via: 'invite', code: 'ABCD1234', joined_at: 1_777_000_000 })
  const anon = member({ pubkey: PK('c'), via: 'public' })

  it('lists members with picture, name or short npub, nip05, role, whether they count, and how they joined', async () => {
    script['GET /api/relays/r1/members'] = [ok({ members: [owner, bob, anon], used: 2, allowed: 10 })]
    const root = mount(() => <MembersPanel relay={relay()} onChanged={async () => {}} />)
    await settle()
    const rows = [...root.querySelectorAll('[data-testid="member-row"]')]
    expect(rows.map((r) => text(r.querySelector('[data-testid="member-name"]')))).toEqual(['Alice', 'Bob', shortNpub(PK('c'))])
    expect(rows.map((r) => text(r.querySelector('[data-testid="member-role"]')))).toEqual(['Owner', 'Member', 'Member'])
    expect(rows[0]!.querySelector('img')!.getAttribute('src')).toBe('https://example.com/a.png')
    expect(rows[0]!.querySelector('[data-testid="member-not-counted"]')).not.toBeNull()
    expect(rows[1]!.querySelector('[data-testid="member-not-counted"]')).toBeNull()
    expect(text(rows[1]!.querySelector('[data-testid="member-nip05"]'))).toBe('bob@example.com')
    expect(text(rows[1]!.querySelector('[data-testid="member-joined"]'))).toMatch(/^Joined with invite ABCD1234 on /)
    expect(text(rows[2]!.querySelector('[data-testid="member-joined"]'))).toBe('Joined freely (public join)')
    // The owner cannot be removed from here; members can.
    expect(button(rows[0]!, 'Remove')).toBeUndefined()
    expect(button(rows[1]!, 'Remove Bob')).toBeDefined()
    expect(text(root.querySelector('[data-testid="member-meter-text"]'))).toBe('2 of 10 members used')
    const meter = root.querySelector('[role="meter"]')!
    expect([meter.getAttribute('aria-valuenow'), meter.getAttribute('aria-valuemax')]).toEqual(['2', '10'])
  })

  it('adds a member by key and shows the API refusal in its words when the plan is full', async () => {
    script['GET /api/relays/r1/members'] = [ok({ members: [owner], used: 10, allowed: 10 })]
    script['POST /api/relays/r1/members'] = [refuse(422, 'member-limit-reached', 'the Free plan allows 10 members and this relay has 10; upgrade to add more')]
    const root = mount(() => <MembersPanel relay={relay()} onChanged={async () => {}} />)
    await settle()
    expect(text(root.querySelector('[data-testid="member-meter-text"]'))).toBe('10 of 10 members used — the plan is full')
    type(root.querySelector<HTMLInputElement>('#add-member')!, ` npub1${'q'.repeat(58)} `)
    button(root, 'Add member').click()
    await settle()
    expect(calls.find((c) => c.key === 'POST /api/relays/r1/members')!.body).toEqual({ pubkey: `npub1${'q'.repeat(58)}` })
    expect(text(root.querySelector('[data-testid="add-member-error"]'))).toBe('The Free plan allows 10 members and this relay has 10; upgrade to add more.')
    expect(root.querySelector('#add-member')!.getAttribute('aria-invalid')).toBe('true')
  })

  it('removes a member only after confirming, then lists the members again', async () => {
    script['GET /api/relays/r1/members'] = [ok({ members: [owner, bob], used: 1, allowed: 10 }), ok({ members: [owner], used: 0, allowed: 10 })]
    script[`DELETE /api/relays/r1/members/${PK('b')}`] = [ok({ done: true })]
    let changed = 0
    const root = mount(() => <MembersPanel relay={relay()} onChanged={async () => void changed++} />)
    await settle()
    button(root, 'Remove Bob').click()
    const dialog = root.querySelector('dialog')!
    expect(dialog.open).toBe(true)
    expect(text(dialog.querySelector('h2'))).toBe('Remove Bob?')
    button(dialog, 'Cancel').click()
    expect(dialog.open).toBe(false)
    expect(calls.some((c) => c.key.startsWith('DELETE'))).toBe(false)
    button(root, 'Remove Bob').click()
    button(dialog, 'Remove').click()
    await settle()
    expect(calls.filter((c) => c.key.startsWith('DELETE')).map((c) => c.key)).toEqual([`DELETE /api/relays/r1/members/${PK('b')}`])
    expect(root.querySelectorAll('[data-testid="member-row"]')).toHaveLength(1)
    expect(changed).toBe(1)
  })
})

describe('invites tab', () => {
  const invite = (over: Partial<Invite>): Invite => ({
    code: 'ABCD1234',
    label: 'Flyers',
    link: 'http://localhost/join?r=ws%3A%2F%2Fclub&c=ABCD1234',
    created_at: 1_777_000_000,
    expires_at: null,
    max_uses: 5,
    uses: 1,
    revoked: false,
    joins: [{ pubkey: PK('b'), npub: 'npub1b', name: 'Bob', picture: null, joined_at: 1_777_100_000 }],
    ...over,
  })

  it('lists invites with uses, state, link, QR code and who joined with each', async () => {
    script['GET /api/relays/r1/invites'] = [ok({ items: [invite({}), invite({ code: 'OLD', revoked: true, joins: [] })] })]
    const root = mount(() => <InvitesPanel relay={relay()} />)
    await settle()
    const [first, second] = [...root.querySelectorAll('[data-testid="invite"]')]
    expect(text(first!.querySelector('[data-testid="invite-uses"]'))).toBe('1 / 5')
    expect(text(first!.querySelector('[data-testid="invite-state"]'))).toBe('Active')
    expect(text(first!.querySelector('[data-testid="invite-link"]'))).toBe(invite({}).link)
    expect(button(first!, `Copy link ${invite({}).link}`)).toBeDefined()
    expect(text(first!.querySelector('[data-testid="invite-join"]'))).toMatch(/^B ?Bob/)
    const qr = button(first!, 'QR code')
    expect(qr.getAttribute('aria-expanded')).toBe('false')
    qr.click()
    expect(qr.getAttribute('aria-expanded')).toBe('true')
    expect(first!.querySelector('[role="img"]')!.getAttribute('aria-label')).toBe(`QR code of the invite link ${invite({}).link}`)
    // A revoked invite says so and offers no link.
    expect(text(second!.querySelector('[data-testid="invite-state"]'))).toBe('Revoked')
    expect(second!.querySelector('[data-testid="invite-link"]')).toBeNull()
  })

  it('creates an invite from the form and revokes one after confirming', async () => {
    script['GET /api/relays/r1/invites'] = [ok({ items: [] })]
    script['POST /api/relays/r1/invites'] = [{ status: 201, body: { data: invite({ code: 'NEW1', joins: [], uses: 0 }), code: 'ok' } }]
    script['DELETE /api/relays/r1/invites/NEW1'] = [ok(invite({ code: 'NEW1', joins: [], uses: 0, revoked: true }))]
    const root = mount(() => <InvitesPanel relay={relay()} />)
    await settle()
    type(root.querySelector<HTMLInputElement>('#invite-label')!, 'Meetup')
    type(root.querySelector<HTMLInputElement>('#invite-max-uses')!, '0')
    button(root, 'Create invite').click()
    await settle()
    expect(text(root.querySelector('[data-testid="invite-error"]'))).toBe('Max uses is a whole number of at least 1, or empty for no limit.')
    type(root.querySelector<HTMLInputElement>('#invite-max-uses')!, '5')
    button(root, 'Create invite').click()
    await settle()
    expect(calls.find((c) => c.key === 'POST /api/relays/r1/invites')!.body).toEqual({ label: 'Meetup', max_uses: 5 })
    expect(root.querySelector('[data-code="NEW1"]')).not.toBeNull()
    button(root, 'Revoke invite NEW1').click()
    const dialog = root.querySelector('dialog')!
    expect(text(dialog.querySelector('h2'))).toBe('Revoke invite NEW1?')
    button(dialog, 'Revoke').click()
    await settle()
    expect(text(root.querySelector('[data-code="NEW1"] [data-testid="invite-state"]'))).toBe('Revoked')
  })

  it('says so when the engine has no invites', async () => {
    script['GET /api/relays/r1/invites'] = [refuse(501, 'not-supported-by-engine', "this relay's engine does not offer that")]
    const root = mount(() => <InvitesPanel relay={relay()} />)
    await settle()
    expect(text(root.querySelector('[role="alert"]'))).toBe("This relay's engine does not offer that.")
  })
})

describe('moderation tab', () => {
  it('explains and offers the switch while management is off, without asking for bans', async () => {
    const root = mount(() => <ModerationPanel relay={relay({ management_enabled: false })} onChanged={async () => {}} />)
    await settle()
    expect(text(root.querySelector('[data-testid="management-off"]'))).toContain('relay management (NIP-86), which is off')
    const toggle = root.querySelector<HTMLInputElement>('#moderation-management')!
    expect(toggle.checked).toBe(false)
    expect(root.querySelector('[data-testid="banned-pubkeys"]')).toBeNull()
    expect(calls).toEqual([])
  })

  it('pages banned people with "load more", bans with a reason and lifts a ban', async () => {
    const banned = (c: string, reason: string) => ({ pubkey: PK(c), npub: `npub1${c}`, reason, name: null, picture: null })
    script['GET /api/relays/r1/bans?limit=20'] = [ok({ items: [banned('d', 'spam')], next_cursor: 'c1' }), ok({ items: [banned('f', 'rude'), banned('d', 'spam')], next_cursor: null })]
    script['GET /api/relays/r1/bans?cursor=c1&limit=20'] = [ok({ items: [banned('e', '')], next_cursor: null })]
    script['GET /api/relays/r1/banned-events?limit=20'] = [ok({ items: [{ id: PK('9'), reason: 'illegal' }], next_cursor: null })]
    script['POST /api/relays/r1/bans'] = [ok({ done: true })]
    script[`DELETE /api/relays/r1/bans/${PK('d')}`] = [ok({ done: true })]
    const root = mount(() => <ModerationPanel relay={relay()} onChanged={async () => {}} />)
    await settle()
    const rows = () => [...root.querySelectorAll('[data-testid="banned-pubkey"]')].map((r) => r.getAttribute('data-key'))
    expect(rows()).toEqual([PK('d')])
    expect(text(root.querySelector('[data-testid="banned-pubkey"]'))).toContain('Reason: spam')
    button(root.querySelector('[data-testid="banned-pubkeys"]')!, 'Load more').click()
    await settle()
    expect(rows()).toEqual([PK('d'), PK('e')])
    expect(button(root.querySelector('[data-testid="banned-pubkeys"]')!, 'Load more')).toBeUndefined()
    expect(text(root.querySelector('[data-testid="banned-event"]'))).toContain('Reason: illegal')
    type(root.querySelector<HTMLInputElement>('#ban-pubkey-target')!, PK('f'))
    type(root.querySelector<HTMLInputElement>('#ban-pubkey-reason')!, 'rude')
    button(root.querySelector('[data-testid="banned-pubkeys"]')!, 'Ban').click()
    await settle()
    expect(calls.find((c) => c.key === 'POST /api/relays/r1/bans')!.body).toEqual({ pubkey: PK('f'), reason: 'rude' })
    expect(rows()).toEqual([PK('f'), PK('d')])
    button(root, `Lift the ban on ${shortNpub(PK('d'))}`).click()
    await settle()
    expect(rows()).toEqual([PK('f')])
  })

  it('shows the refusal of a ban in words', async () => {
    script['GET /api/relays/r1/bans?limit=20'] = [ok({ items: [], next_cursor: null })]
    script['GET /api/relays/r1/banned-events?limit=20'] = [ok({ items: [], next_cursor: null })]
    script['POST /api/relays/r1/banned-events'] = [refuse(400, 'invalid-event-id', 'an event id is 64 lower-case hex characters')]
    const root = mount(() => <ModerationPanel relay={relay()} onChanged={async () => {}} />)
    await settle()
    type(root.querySelector<HTMLInputElement>('#ban-event-target')!, 'nope')
    button(root, 'Ban event').click()
    await settle()
    expect(text(root.querySelector('[data-testid="ban-event-error"]'))).toBe('Enter an event id: 64 hexadecimal characters.')
  })

  it('saves exempt kinds: the checked defaults and custom kinds', async () => {
    script['PUT /api/relays/r1'] = [ok({})]
    const root = mount(() => <ModerationPanel relay={relay({ management_enabled: false, exempt_kinds: [1059, 9735, 7] })} onChanged={async () => {}} />)
    const box = (kind: number) => root.querySelector<HTMLInputElement>(`#exempt-${kind}`)!
    expect([1059, 9735, 13194, 24133].map((k) => box(k).checked)).toEqual([true, true, false, false])
    expect(root.querySelector<HTMLInputElement>('#exempt-custom')!.value).toBe('7')
    expect(text(root.querySelector('label[for="exempt-24133"]'))).toBe('Remote signing (24133)')
    box(9735).click()
    box(24133).click()
    type(root.querySelector<HTMLInputElement>('#exempt-custom')!, '7, x')
    button(root, 'Save exempt kinds').click()
    await settle()
    expect(text(root.querySelector('[data-testid="exempt-kinds-error"]'))).toBe('“x” is not an event kind (a whole number from 0 to 65535).')
    type(root.querySelector<HTMLInputElement>('#exempt-custom')!, '7, 30023')
    button(root, 'Save exempt kinds').click()
    await settle()
    expect(calls.find((c) => c.key === 'PUT /api/relays/r1')!.body).toEqual({ exempt_kinds: [1059, 24133, 7, 30023] })
    expect(root.textContent).toContain('Exempt kinds saved.')
  })
})

describe('import summary', () => {
  it('counts accepted, skipped and refused, and lists refused lines by number', () => {
    const root = mount(() => (
      <ImportSummary result={{ accepted: 12, skipped: 3, refused: [{ line: 4, reason: 'invalid: bad signature' }, { line: 9, reason: 'not JSON' }] }} />
    ))
    expect(text(root.querySelector('[data-testid="import-accepted"]'))).toBe('12')
    expect(text(root.querySelector('[data-testid="import-skipped"]'))).toBe('3')
    expect(text(root.querySelector('[data-testid="import-refused"]'))).toBe('2')
    expect([...root.querySelectorAll('[data-testid="import-refused-line"]')].map(text)).toEqual(['Line 4: invalid: bad signature', 'Line 9: not JSON'])
  })
})

describe('stats', () => {
  const stats: RelayStats = {
    connections: 3,
    storage_bytes: 2_400_000,
    events_total: 1234,
    members: 4,
    members_allowed: 10,
    daily: [
      { day: '2026-05-01', events: { '1': 5, '7': 1 }, members: 3 },
      { day: '2026-05-02', events: { '1': 2 }, members: 4 },
    ],
  }

  it('shows the tiles', () => {
    const root = mount(() => <StatsTiles stats={stats} />)
    const tile = (id: string) => text(root.querySelector(`[data-testid="${id}"]`))
    expect([tile('stat-connections'), tile('stat-storage'), tile('stat-events'), tile('stat-members')]).toEqual(['3', '2.4 MB', '1,234', '4 / 10'])
  })

  it('gives the charts’ numbers as tables, with the plan limit', () => {
    const root = mount(() => (
      <>
        <MembersTable series={memberSeries(stats)} />
        <KindsTable series={kindSeries(stats.daily)} />
      </>
    ))
    const rows = (id: string) => [...root.querySelectorAll(`[data-testid="${id}"] tr`)].map((r) => [...r.children].map(text))
    expect(rows('members-table')).toEqual([
      ['Day', 'Members', 'Plan limit'],
      ['2026-05-01', '3', '10'],
      ['2026-05-02', '4', '10'],
    ])
    expect(rows('kinds-table')).toEqual([
      ['Day', 'Notes (kind 1)', 'Reactions (kind 7)', 'Total'],
      ['2026-05-01', '5', '1', '6'],
      ['2026-05-02', '2', '0', '2'],
    ])
  })
})

describe('tabs', () => {
  it('move with the arrow keys, Home and End, keeping one tab in the Tab order', () => {
    const [selected, setSelected] = createSignal('a')
    const tabs = [
      { id: 'a', label: 'A' },
      { id: 'b', label: 'B' },
      { id: 'c', label: 'C' },
    ]
    const root = mount(() => <Tabs label="Relay" idPrefix="t" tabs={tabs} selected={selected()} onSelect={setSelected} />)
    const tab = (id: string) => root.querySelector<HTMLButtonElement>(`#t-tab-${id}`)!
    const key = (id: string, k: string) => tab(id).dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true }))
    expect(tabs.map((t) => tab(t.id).tabIndex)).toEqual([0, -1, -1])
    key('a', 'ArrowRight')
    expect(selected()).toBe('b')
    expect(document.activeElement).toBe(tab('b'))
    expect(tab('b').getAttribute('aria-selected')).toBe('true')
    key('b', 'End')
    expect(selected()).toBe('c')
    key('c', 'ArrowRight')
    expect(selected()).toBe('a')
    key('a', 'ArrowLeft')
    expect(selected()).toBe('c')
    key('c', 'Home')
    expect(selected()).toBe('a')
    expect(tab('a').getAttribute('aria-controls')).toBe('t-panel-a')
  })
})
