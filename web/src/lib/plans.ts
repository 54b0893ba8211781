// Plans as the dashboard presents them: prices, limits, which toggles a plan allows, and whether a relay
// may move to another plan. The API stays the judge; these checks explain a refusal before it happens.
import type { Flags, MemberCount, Plan, Relay } from './api'

export function formatPrice(plan: Plan): string {
  if (plan.amount === 0) return 'Free'
  const dollars = plan.amount % 100 === 0 ? String(plan.amount / 100) : (plan.amount / 100).toFixed(2)
  return `$${dollars} / month`
}

/** What a plan costs here: with billing off every plan is free on this deployment. */
export function priceHere(plan: Plan, billingEnabled: boolean): string {
  if (plan.amount === 0) return 'Free'
  return billingEnabled ? formatPrice(plan) : `Free here (list price ${formatPrice(plan)})`
}

export function formatMemberLimit(limit: number | null): string {
  return limit === null ? 'Unlimited members' : `Up to ${limit} members`
}

export function formatMembers(members: MemberCount | null): string {
  if (!members) return 'unknown right now'
  return `${members.used} / ${members.allowed === null ? 'unlimited' : members.allowed}`
}

export interface ToggleSpec {
  key: keyof Flags
  label: string
  description: string
  /** The plan feature this toggle needs, if any. */
  feature?: 'blossom' | 'livekit'
}

export const TOGGLES: ToggleSpec[] = [
  { key: 'policy_public_join', label: 'Public join', description: 'Anyone may join the relay without an invite code.' },
  { key: 'policy_strip_signatures', label: 'Strip signatures', description: 'Serve events without signatures, so they cannot be rebroadcast elsewhere.' },
  { key: 'groups_enabled', label: 'Groups', description: 'NIP-29 groups: rooms with their own members and moderators.' },
  { key: 'management_enabled', label: 'Relay management', description: 'Manage members and bans from a Nostr client (NIP-86).' },
  { key: 'blossom_enabled', label: 'Blossom media', description: 'Members can upload images and files.', feature: 'blossom' },
  { key: 'livekit_enabled', label: 'LiveKit audio and video', description: 'Live audio and video rooms.', feature: 'livekit' },
  { key: 'push_enabled', label: 'Push notifications', description: 'Notify members’ devices about new messages.' },
]

const FEATURE_NAMES = { blossom: 'Blossom media', livekit: 'LiveKit' } as const

/** Plans that include a feature, by name, for "choose Basic or Growth". */
function plansWith(plans: Plan[], feature: 'blossom' | 'livekit'): string {
  const names = plans.filter((p) => p[feature]).map((p) => p.name)
  return names.length <= 1 ? (names[0] ?? 'another plan') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`
}

/** Why a toggle cannot be turned on under a plan, or null when it can. */
export function toggleBlockedReason(toggle: ToggleSpec, plan: Plan | undefined, plans: Plan[]): string | null {
  if (!toggle.feature || !plan || plan[toggle.feature]) return null
  return `The ${plan.name} plan does not include ${FEATURE_NAMES[toggle.feature]}. Switch to ${plansWith(plans, toggle.feature)} to turn it on.`
}

/** Why a relay cannot move to `target`, or null when it can (same rules the API applies). */
export function planChangeProblem(relay: Pick<Relay, 'plan' | 'blossom_enabled' | 'livekit_enabled'>, members: MemberCount | null, target: Plan): string | null {
  if (target.id === relay.plan) return null
  if (target.members !== null && members && members.used > target.members) {
    return `This relay has ${members.used} members and the ${target.name} plan allows ${target.members}. Remove members before changing plan.`
  }
  const lacking = [relay.blossom_enabled && !target.blossom ? 'Blossom media' : null, relay.livekit_enabled && !target.livekit ? 'LiveKit' : null].filter(
    (x): x is string => x !== null,
  )
  if (lacking.length > 0) {
    return `The ${target.name} plan does not include ${lacking.join(' or ')}. Turn ${lacking.length > 1 ? 'them' : 'it'} off before changing plan.`
  }
  return null
}
