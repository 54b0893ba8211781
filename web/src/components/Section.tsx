import type { JSX } from 'solid-js'

/** A titled card on a page; the heading names the region for screen readers. */
export function Section(props: { title: string; id: string; children: JSX.Element; testid?: string }) {
  return (
    <section aria-labelledby={props.id} data-testid={props.testid} class="space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-5">
      <h2 id={props.id} class="text-base font-semibold">
        {props.title}
      </h2>
      {props.children}
    </section>
  )
}
