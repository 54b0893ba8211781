// Plans are hard-coded here and served by the API as the single source of truth.

export type PlanId = 'free' | 'basic' | 'growth'

export interface Plan {
  id: PlanId
  name: string
  /** USD cents per month. */
  amount: number
  /** Member limit; null = unlimited. */
  members: number | null
  blossom: boolean
  livekit: boolean
  /** From configuration when billing is on; null for the free plan or with billing off. */
  stripe_price_id: string | null
}

const BASE: Omit<Plan, 'stripe_price_id'>[] = [
  { id: 'free', name: 'Free', amount: 0, members: 10, blossom: false, livekit: false },
  { id: 'basic', name: 'Basic', amount: 500, members: 100, blossom: true, livekit: true },
  { id: 'growth', name: 'Growth', amount: 2500, members: null, blossom: true, livekit: true },
]

export const PLAN_IDS = BASE.map((p) => p.id)
export const PAID_PLAN_IDS = BASE.filter((p) => p.amount > 0).map((p) => p.id)

export function isPlanId(value: unknown): value is PlanId {
  return typeof value === 'string' && (PLAN_IDS as string[]).includes(value)
}

export class Plans {
  readonly list: Plan[]

  constructor(priceIds: Partial<Record<PlanId, string>> = {}) {
    this.list = BASE.map((p) => ({ ...p, stripe_price_id: p.amount > 0 ? (priceIds[p.id] ?? null) : null }))
  }

  get(id: string): Plan | undefined {
    return this.list.find((p) => p.id === id)
  }
}
