// Members as the engine counts them, and the plan limits on them. The engine lists every member, including
// the relay's own key, its owner, the operator admins and the robot it was configured with; those do not count against
// the tenant's plan.
import { getPublicKey } from 'nostr-tools/pure'
import { hexToBytes } from 'nostr-tools/utils'
import type { RelayRow } from '../db/schema.js'
import { DomainError } from '../platform/errors.js'
import type { Platform } from '../platform/platform.js'
import { EngineError } from './engine-client.js'

export interface RelayMembers {
  /** Every member pubkey the engine reports. */
  members: string[]
  /** Members that count against the plan (not the relay itself, its owner or operator admins). */
  used: number
  /** The plan's limit; null = unlimited. */
  allowed: number | null
}

export async function relayMembers(platform: Platform, relay: RelayRow): Promise<RelayMembers> {
  const allowed = platform.plans.get(relay.plan)?.members ?? null
  // Empty until the engine has the relay at least once.
  if (!(await platform.queries.hasCompletedRelaySync(relay.id))) return { members: [], used: 0, allowed }
  let members: string[]
  try {
    members = await platform.engineFor(relay).client.listMembers(relay.id)
  } catch (err) {
    const why = err instanceof EngineError ? err.message : (err as Error).message
    throw new DomainError(503, 'engine-unavailable', `the relay engine could not list members: ${why}`)
  }
  const configured = new Set([relay.tenant, platform.robot.pubkey, getPublicKey(hexToBytes(platform.box.open(relay.secret))), ...(await platform.listAdmins())])
  return { members, used: members.filter((m) => !configured.has(m)).length, allowed }
}

/** Refuses a plan change that would leave more members than the new plan allows. */
export async function assertMembersFitPlan(platform: Platform, relay: RelayRow, planId: string): Promise<void> {
  const plan = platform.plans.get(planId)
  if (!plan || plan.members === null || plan.id === relay.plan) return
  const { used } = await relayMembers(platform, relay)
  if (used > plan.members) {
    throw new DomainError(
      422,
      'member-limit-exceeded',
      `this relay has ${used} members and the ${plan.name} plan allows ${plan.members}; remove members before changing plan`,
    )
  }
}
