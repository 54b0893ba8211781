import { createSignal } from 'solid-js'

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    // Clipboard API refused (no permission or not a secure context): fall back to a hidden textarea.
    const area = document.createElement('textarea')
    area.value = text
    area.setAttribute('readonly', '')
    area.style.position = 'fixed'
    area.style.opacity = '0'
    document.body.append(area)
    area.select()
    const ok = document.execCommand('copy')
    area.remove()
    return ok
  }
}

export function CopyButton(props: { text: string; label?: string }) {
  const [state, setState] = createSignal<'idle' | 'copied' | 'failed'>('idle')
  return (
    <button
      type="button"
      class="inline-flex items-center rounded-md px-2 py-1 text-xs font-semibold text-indigo-700 ring-1 ring-inset ring-indigo-200 hover:bg-indigo-50"
      aria-label={`${props.label ?? 'Copy'} ${props.text}`}
      onClick={async () => {
        setState((await copyText(props.text)) ? 'copied' : 'failed')
        setTimeout(() => setState('idle'), 2000)
      }}
    >
      <span aria-live="polite">{state() === 'copied' ? 'Copied' : state() === 'failed' ? 'Select and copy' : (props.label ?? 'Copy')}</span>
    </button>
  )
}

/** A relay URL in monospace with its copy button. */
export function RelayUrl(props: { url: string }) {
  return (
    <span class="inline-flex max-w-full flex-wrap items-center gap-2">
      <code class="break-all rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-800" data-testid="relay-url">
        {props.url}
      </code>
      <CopyButton text={props.url} label="Copy" />
    </span>
  )
}
