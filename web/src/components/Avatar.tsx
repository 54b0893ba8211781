import { createSignal, Show } from 'solid-js'

/** A person's picture, or a coloured circle with their initial when there is none (or it fails to load). */
export function Avatar(props: { picture: string | null | undefined; name: string; size?: 'sm' | 'md' }) {
  const [broken, setBroken] = createSignal(false)
  const size = () => (props.size === 'sm' ? 'size-6 text-[10px]' : 'size-9 text-sm')
  return (
    <Show
      when={props.picture && !broken()}
      fallback={
        <span class={`inline-flex shrink-0 items-center justify-center rounded-full bg-indigo-100 font-semibold text-indigo-800 ${size()}`} aria-hidden="true">
          {(props.name.replace(/^npub1/, '')[0] ?? '?').toUpperCase()}
        </span>
      }
    >
      <img src={props.picture!} alt="" class={`shrink-0 rounded-full object-cover ${size()}`} onError={() => setBroken(true)} data-testid="member-avatar" />
    </Show>
  )
}
