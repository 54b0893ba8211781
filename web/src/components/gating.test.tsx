// Rendered components (jsdom): a plan-gated toggle is disabled and says why, and the plan picker shows
// prices, limits and that plans are free when billing is off.
import { render } from 'solid-js/web'
import { afterEach, describe, expect, it } from 'vitest'
import type { Plan } from '../lib/api'
import { TOGGLES, toggleBlockedReason } from '../lib/plans'
import { PlanPicker } from './PlanPicker'
import { Toggle } from './Toggle'

const PLANS: Plan[] = [
  { id: 'free', name: 'Free', amount: 0, members: 10, blossom: false, livekit: false, stripe_price_id: null },
  { id: 'basic', name: 'Basic', amount: 500, members: 100, blossom: true, livekit: true, stripe_price_id: null },
]

let dispose: (() => void) | undefined
afterEach(() => {
  dispose?.()
  document.body.innerHTML = ''
})

function mount(ui: () => any): HTMLElement {
  const root = document.createElement('div')
  document.body.append(root)
  dispose = render(ui, root)
  return root
}

describe('plan-gated toggle', () => {
  const blossom = TOGGLES.find((t) => t.key === 'blossom_enabled')!

  it('is disabled on the free plan and explains why, linked for screen readers', () => {
    const root = mount(() => (
      <Toggle id="blossom_enabled" label={blossom.label} description={blossom.description} checked={false} blockedReason={toggleBlockedReason(blossom, PLANS[0], PLANS)} onChange={() => {}} />
    ))
    const input = root.querySelector<HTMLInputElement>('input[role="switch"]')!
    expect(input.disabled).toBe(true)
    const reason = root.querySelector('[data-testid="blocked-reason"]')!
    expect(reason.textContent).toBe('The Free plan does not include Blossom media. Switch to Basic to turn it on.')
    expect(input.getAttribute('aria-describedby')).toContain(reason.id)
    expect(root.querySelector(`label[for="${input.id}"]`)?.textContent).toBe('Blossom media')
  })

  it('is enabled on a plan that includes the feature, and reports changes', () => {
    const changes: boolean[] = []
    const root = mount(() => (
      <Toggle id="blossom_enabled" label={blossom.label} description={blossom.description} checked={false} blockedReason={toggleBlockedReason(blossom, PLANS[1], PLANS)} onChange={(v) => changes.push(v)} />
    ))
    const input = root.querySelector<HTMLInputElement>('input[role="switch"]')!
    expect(input.disabled).toBe(false)
    expect(root.querySelector('[data-testid="blocked-reason"]')).toBeNull()
    input.click()
    expect(changes).toEqual([true])
  })

  it('can still be switched off when it is on although the plan lacks it', () => {
    const root = mount(() => (
      <Toggle id="blossom_enabled" label={blossom.label} description={blossom.description} checked={true} blockedReason={toggleBlockedReason(blossom, PLANS[0], PLANS)} onChange={() => {}} />
    ))
    expect(root.querySelector<HTMLInputElement>('input[role="switch"]')!.disabled).toBe(false)
  })
})

describe('plan picker', () => {
  it('shows prices and limits, free here when billing is off, and disables blocked plans with the reason', () => {
    const picked: string[] = []
    const root = mount(() => (
      <PlanPicker name="plan" plans={PLANS} value="basic" billingEnabled={false} blocked={(p) => (p.id === 'free' ? 'Too many members for Free.' : null)} onChange={(id) => picked.push(id)} />
    ))
    expect(root.querySelector('[data-testid="billing-off"]')?.textContent).toContain('every plan is free here')
    const basic = root.querySelector('[data-testid="plan-basic"]')!.textContent!
    expect(basic).toContain('Free here')
    expect(basic).toContain('$5 / month')
    expect(basic).toContain('Up to 100 members')
    const free = root.querySelector<HTMLInputElement>('#plan-free')!
    expect(free.disabled).toBe(true)
    expect(root.querySelector('[data-testid="plan-free"] [data-testid="plan-blocked"]')?.textContent).toBe('Too many members for Free.')
    expect(root.querySelector<HTMLInputElement>('#plan-basic')!.checked).toBe(true)
  })

  it('shows list prices when billing is on', () => {
    const root = mount(() => <PlanPicker name="plan" plans={PLANS} value="free" billingEnabled={true} onChange={() => {}} />)
    expect(root.querySelector('[data-testid="billing-off"]')).toBeNull()
    expect(root.querySelector('[data-testid="plan-basic"]')!.textContent).not.toContain('Free here')
  })
})
