import { For, type JSX } from 'solid-js'

export interface TabSpec<Id extends string = string> {
  id: Id
  label: string
}

const LOOKS = {
  /** Sections of a page (the relay page). */
  underline: {
    list: 'flex flex-wrap gap-1 border-b border-slate-200',
    tab: '-mb-px rounded-t-md border-b-2 border-transparent px-3 py-2 text-sm font-medium text-slate-600 hover:text-slate-900 aria-selected:border-indigo-600 aria-selected:text-indigo-800',
  },
  /** Alternatives to choose one of (how to sign in). */
  segmented: {
    list: 'flex flex-wrap gap-1 rounded-lg bg-slate-100 p-1',
    tab: 'flex-1 rounded-md px-3 py-1.5 text-sm font-medium text-slate-700 aria-selected:bg-white aria-selected:text-slate-900 aria-selected:shadow-sm',
  },
}

/**
 * A tab list (WAI-ARIA pattern): one tab in the Tab order, arrow keys and Home/End move between tabs and
 * select them. The selected panel is rendered by the caller inside <TabPanel>.
 */
export function Tabs<Id extends string>(props: {
  label: string
  tabs: TabSpec<Id>[]
  selected: Id
  onSelect: (id: Id) => void
  idPrefix: string
  look?: keyof typeof LOOKS
}) {
  const look = () => LOOKS[props.look ?? 'underline']
  const buttons: HTMLButtonElement[] = []
  const move = (from: number, to: number) => {
    const n = props.tabs.length
    const i = ((to % n) + n) % n
    if (i === from) return
    props.onSelect(props.tabs[i]!.id)
    buttons[i]?.focus()
  }
  return (
    <div role="tablist" aria-label={props.label} class={look().list}>
      <For each={props.tabs}>
        {(tab, i) => (
          <button
            ref={(el) => (buttons[i()] = el)}
            type="button"
            role="tab"
            id={`${props.idPrefix}-tab-${tab.id}`}
            aria-selected={props.selected === tab.id}
            aria-controls={`${props.idPrefix}-panel-${tab.id}`}
            tabIndex={props.selected === tab.id ? 0 : -1}
            class={look().tab}
            onClick={() => props.onSelect(tab.id)}
            onKeyDown={(e) => {
              const keys: Record<string, number> = { ArrowRight: i() + 1, ArrowLeft: i() - 1, Home: 0, End: props.tabs.length - 1 }
              if (!(e.key in keys)) return
              e.preventDefault()
              move(i(), keys[e.key]!)
            }}
          >
            {tab.label}
          </button>
        )}
      </For>
    </div>
  )
}

export function TabPanel(props: { idPrefix: string; tab: string; children: JSX.Element }) {
  return (
    <div role="tabpanel" id={`${props.idPrefix}-panel-${props.tab}`} aria-labelledby={`${props.idPrefix}-tab-${props.tab}`} tabIndex={0} class="space-y-5 rounded focus-visible:outline-2 focus-visible:outline-offset-4 focus-visible:outline-indigo-600">
      {props.children}
    </div>
  )
}
