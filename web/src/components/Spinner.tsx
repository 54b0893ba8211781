export function Spinner(props: { label?: string; class?: string }) {
  return (
    <span role="status" class={`inline-flex items-center gap-2 text-sm text-slate-600 ${props.class ?? ''}`}>
      <span class="size-4 animate-spin rounded-full border-2 border-slate-300 border-t-indigo-600" aria-hidden="true" />
      <span>{props.label ?? 'Loading…'}</span>
    </span>
  )
}
