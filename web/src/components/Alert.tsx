import type { JSX } from 'solid-js'

/** A message in words; errors are announced to screen readers as they appear. */
export function Alert(props: { tone?: 'error' | 'info' | 'success' | 'warning'; children: JSX.Element; testid?: string; class?: string }) {
  const tone = () => props.tone ?? 'error'
  const styles = {
    error: 'border-red-200 bg-red-50 text-red-800',
    info: 'border-sky-200 bg-sky-50 text-sky-900',
    success: 'border-emerald-200 bg-emerald-50 text-emerald-900',
    warning: 'border-amber-200 bg-amber-50 text-amber-900',
  }
  return (
    <div
      role={tone() === 'error' ? 'alert' : 'status'}
      data-testid={props.testid}
      class={`rounded-md border px-3 py-2 text-sm ${styles[tone()]} ${props.class ?? ''}`}
    >
      {props.children}
    </div>
  )
}
