import { splitProps, type JSX } from 'solid-js'

const VARIANTS = {
  primary: 'bg-indigo-600 text-white hover:bg-indigo-500 disabled:bg-indigo-300',
  secondary: 'bg-white text-slate-900 ring-1 ring-inset ring-slate-300 hover:bg-slate-50 disabled:text-slate-400',
  danger: 'bg-red-600 text-white hover:bg-red-500 disabled:bg-red-300',
  ghost: 'text-slate-700 hover:bg-slate-100 disabled:text-slate-400',
}

export function Button(props: JSX.ButtonHTMLAttributes<HTMLButtonElement> & { variant?: keyof typeof VARIANTS; busy?: boolean }) {
  const [local, rest] = splitProps(props, ['variant', 'busy', 'class', 'children', 'disabled'])
  return (
    <button
      type="button"
      {...rest}
      disabled={local.disabled || local.busy}
      aria-busy={local.busy ? 'true' : undefined}
      class={`inline-flex items-center justify-center gap-2 rounded-md px-3 py-2 text-sm font-semibold shadow-sm disabled:cursor-not-allowed ${VARIANTS[local.variant ?? 'primary']} ${local.class ?? ''}`}
    >
      {local.busy && <span class="size-3.5 animate-spin rounded-full border-2 border-current border-t-transparent" aria-hidden="true" />}
      {local.children}
    </button>
  )
}
