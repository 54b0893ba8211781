import { Show } from 'solid-js'

/** A labelled switch (a checkbox underneath, so Space toggles it) with its explanation. */
export function Toggle(props: {
  id: string
  label: string
  description: string
  checked: boolean
  disabled?: boolean
  blockedReason?: string | null
  busy?: boolean
  onChange: (value: boolean) => void
}) {
  const describedBy = () => `${props.id}-help${props.blockedReason ? ` ${props.id}-blocked` : ''}`
  return (
    <div class="flex items-start justify-between gap-4 py-3" data-testid={`toggle-${props.id}`}>
      <div class="min-w-0">
        <label for={props.id} class="text-sm font-medium text-slate-900">
          {props.label}
        </label>
        <p id={`${props.id}-help`} class="text-sm text-slate-600">
          {props.description}
        </p>
        <Show when={props.blockedReason}>
          <p id={`${props.id}-blocked`} class="mt-1 text-sm text-amber-800" data-testid="blocked-reason">
            {props.blockedReason}
          </p>
        </Show>
      </div>
      <input
        id={props.id}
        type="checkbox"
        role="switch"
        class="peer mt-1 size-5 shrink-0 cursor-pointer accent-indigo-600 disabled:cursor-not-allowed"
        checked={props.checked}
        disabled={props.disabled || props.busy || (!!props.blockedReason && !props.checked)}
        aria-describedby={describedBy()}
        onChange={(e) => props.onChange(e.currentTarget.checked)}
      />
    </div>
  )
}
