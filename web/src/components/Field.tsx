import { Show, type JSX } from 'solid-js'

/** A label, an input (given as children with matching id) and its hint or error. */
export function Field(props: { id: string; label: string; hint?: JSX.Element; error?: string | null; children: JSX.Element }) {
  return (
    <div class="space-y-1">
      <label for={props.id} class="block text-sm font-medium text-slate-900">
        {props.label}
      </label>
      {props.children}
      <Show when={props.error}>
        <p id={`${props.id}-error`} class="text-sm text-red-700" data-testid={`${props.id}-error`}>
          {props.error}
        </p>
      </Show>
      <Show when={props.hint && !props.error}>
        <p id={`${props.id}-hint`} class="text-sm text-slate-600">
          {props.hint}
        </p>
      </Show>
    </div>
  )
}

export const inputClass =
  'block w-full rounded-md border-0 px-3 py-2 text-sm text-slate-900 shadow-sm ring-1 ring-inset ring-slate-300 placeholder:text-slate-400 focus:ring-2 focus:ring-inset focus:ring-indigo-600 aria-[invalid=true]:ring-red-500'
