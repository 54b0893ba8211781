import type { JSX } from 'solid-js'
import type { Tone } from '../lib/relay'

const TONES: Record<Tone, string> = {
  green: 'bg-emerald-50 text-emerald-800 ring-emerald-600/30',
  amber: 'bg-amber-50 text-amber-800 ring-amber-600/30',
  red: 'bg-red-50 text-red-800 ring-red-600/30',
  slate: 'bg-slate-100 text-slate-700 ring-slate-500/30',
  indigo: 'bg-indigo-50 text-indigo-800 ring-indigo-600/30',
}

export function Badge(props: { tone: Tone; children: JSX.Element; title?: string; testid?: string }) {
  return (
    <span
      class={`inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset whitespace-nowrap ${TONES[props.tone]}`}
      title={props.title}
      data-testid={props.testid}
    >
      {props.children}
    </span>
  )
}
