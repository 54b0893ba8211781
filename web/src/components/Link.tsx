import type { JSX } from 'solid-js'
import { navigate } from '../lib/router'

/** An anchor that routes in the page (middle-click and modifier keys still open a new tab). */
export function Link(props: { href: string; class?: string; children: JSX.Element; 'aria-current'?: 'page' | undefined }) {
  return (
    <a
      href={props.href}
      class={props.class}
      aria-current={props['aria-current']}
      onClick={(e) => {
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
        e.preventDefault()
        navigate(props.href)
      }}
    >
      {props.children}
    </a>
  )
}
