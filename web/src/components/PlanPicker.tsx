import { For, Show } from 'solid-js'
import type { Plan } from '../lib/api'
import { formatMemberLimit, formatPrice } from '../lib/plans'

/** Plans as radio cards with price, member limit and features; `blocked` explains plans that cannot be chosen. */
export function PlanPicker(props: {
  name: string
  plans: Plan[]
  value: string
  billingEnabled: boolean
  blocked?: (plan: Plan) => string | null
  onChange: (id: string) => void
}) {
  return (
    <fieldset>
      <legend class="text-sm font-medium text-slate-900">Plan</legend>
      <Show when={!props.billingEnabled}>
        <p class="mt-1 text-sm text-emerald-800" data-testid="billing-off">
          Billing is off on this deployment: every plan is free here.
        </p>
      </Show>
      <div class="mt-2 grid gap-3 sm:grid-cols-3">
        <For each={props.plans}>
          {(plan) => {
            const reason = () => props.blocked?.(plan) ?? null
            const id = () => `${props.name}-${plan.id}`
            return (
              <label
                for={id()}
                class="relative flex cursor-pointer flex-col gap-1 rounded-lg border bg-white p-3 text-sm has-checked:border-indigo-600 has-checked:ring-2 has-checked:ring-indigo-600 has-disabled:cursor-not-allowed has-disabled:opacity-70"
                data-testid={`plan-${plan.id}`}
              >
                <span class="flex items-center gap-2">
                  <input
                    id={id()}
                    type="radio"
                    name={props.name}
                    value={plan.id}
                    class="accent-indigo-600"
                    checked={props.value === plan.id}
                    disabled={!!reason()}
                    aria-describedby={`${id()}-details`}
                    onChange={() => props.onChange(plan.id)}
                  />
                  <span class="font-semibold">{plan.name}</span>
                </span>
                <span id={`${id()}-details`} class="space-y-0.5 text-slate-700">
                  <span class="block">
                    <Show when={plan.amount > 0 && !props.billingEnabled} fallback={<span class="font-medium">{formatPrice(plan)}</span>}>
                      <span class="font-medium">Free here</span> <s class="text-slate-500">{formatPrice(plan)}</s>
                    </Show>
                  </span>
                  <span class="block">{formatMemberLimit(plan.members)}</span>
                  <span class="block">{plan.blossom ? 'Blossom media' : 'No Blossom media'}</span>
                  <span class="block">{plan.livekit ? 'LiveKit audio and video' : 'No LiveKit'}</span>
                  <Show when={reason()}>
                    <span class="block text-amber-800" data-testid="plan-blocked">
                      {reason()}
                    </span>
                  </Show>
                </span>
              </label>
            )
          }}
        </For>
      </div>
    </fieldset>
  )
}
