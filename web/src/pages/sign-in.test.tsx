// The sign-in page's method tabs (jsdom): the relay page's keyboard tabs — arrows, Home and End move and select,
// one tab in the Tab order, the panel named by its tab — with the signer-app tab starting one Nostr Connect
// session however it is reached.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { text, useMount } from '../../test/dom'
import { nostrConnect } from '../lib/signers'
import { SignIn } from './SignIn'

vi.mock('../lib/signers', async (original) => ({
  ...(await original<typeof import('../lib/signers')>()),
  // No relay connections from a test: a session whose signer app never connects.
  nostrConnect: vi.fn(() => ({ uri: 'nostrconnect://test', signer: new Promise(() => {}), cancel: () => {} })),
}))

const mount = useMount()

beforeEach(() => {
  window.nostr = { getPublicKey: async () => 'a'.repeat(64), signEvent: async () => ({}) as never }
  vi.mocked(nostrConnect).mockClear()
})
afterEach(() => {
  delete window.nostr
})

describe('sign-in method tabs', () => {
  it('move with the arrow keys, Home and End, like the relay page', () => {
    const root = mount(() => <SignIn onSignedIn={() => {}} />)
    const tabs = () => [...root.querySelectorAll<HTMLButtonElement>('[role="tab"]')]
    const tab = (name: string) => tabs().find((t) => text(t) === name)!
    const key = (name: string, k: string) => tab(name).dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }))
    const selected = () => tabs().filter((t) => t.getAttribute('aria-selected') === 'true').map(text)
    const panel = () => root.querySelector('[role="tabpanel"]')!

    expect(root.querySelector('[role="tablist"]')!.getAttribute('aria-label')).toBe('How to sign in')
    expect(tabs().map(text)).toEqual(['Browser extension', 'Bunker URI', 'Signer app (QR)'])
    expect(selected()).toEqual(['Browser extension'])
    expect(tabs().map((t) => t.tabIndex)).toEqual([0, -1, -1])

    key('Browser extension', 'ArrowRight')
    expect(selected()).toEqual(['Bunker URI'])
    expect(document.activeElement).toBe(tab('Bunker URI'))
    expect(tabs().map((t) => t.tabIndex)).toEqual([-1, 0, -1])
    expect(panel().getAttribute('aria-labelledby')).toBe(tab('Bunker URI').id)
    expect(tab('Bunker URI').getAttribute('aria-controls')).toBe(panel().id)
    expect(root.querySelector('label[for="bunker-uri"]')?.textContent?.trim()).toBe('Bunker URI')

    key('Bunker URI', 'End')
    expect(selected()).toEqual(['Signer app (QR)'])
    expect(document.activeElement).toBe(tab('Signer app (QR)'))
    expect(nostrConnect).toHaveBeenCalledTimes(1)
    expect((root.querySelector('[data-testid="nostrconnect-uri"]') as HTMLInputElement).value).toBe('nostrconnect://test')

    key('Signer app (QR)', 'ArrowRight')
    expect(selected()).toEqual(['Browser extension'])
    key('Browser extension', 'ArrowLeft')
    expect(selected()).toEqual(['Signer app (QR)'])
    // Coming back to the code keeps the session it showed.
    expect(nostrConnect).toHaveBeenCalledTimes(1)
    key('Signer app (QR)', 'Home')
    expect(selected()).toEqual(['Browser extension'])
    expect(document.activeElement).toBe(tab('Browser extension'))
    expect(panel().getAttribute('aria-labelledby')).toBe(tab('Browser extension').id)

    // Other keys are left to the browser.
    const other = new KeyboardEvent('keydown', { key: 'a', bubbles: true, cancelable: true })
    tab('Browser extension').dispatchEvent(other)
    expect(other.defaultPrevented).toBe(false)
    expect(selected()).toEqual(['Browser extension'])
  })
})
