// Shared by the dashboard's component tests (jsdom): a scripted API behind `fetch`, modal <dialog> behaviour,
// and mounting a Solid tree that is disposed after each test.
import { render } from 'solid-js/web'
import type { JSX } from 'solid-js'
import { afterEach, beforeEach, vi } from 'vitest'

export type Answer = { status: number; body: unknown }
export const ok = (data: unknown): Answer => ({ status: 200, body: { data, code: 'ok' } })
export const refuse = (status: number, code: string, error: string): Answer => ({ status, body: { error, code } })

export interface ScriptedApi {
  /** Every request as `METHOD /path?query`, with its JSON body when it had one. */
  calls: { key: string; body: unknown }[]
  /** Answers by request; a queue answers in turn and then keeps giving its last answer. */
  script: Record<string, Answer[]>
}

/** Installs, for each test, a `fetch` that answers from the script and fails on anything unscripted. */
export function useScriptedApi(): ScriptedApi {
  const api: ScriptedApi = { calls: [], script: {} }
  beforeEach(() => {
    api.calls.length = 0
    for (const k of Object.keys(api.script)) delete api.script[k]
    // jsdom has <dialog> but not its modal behaviour.
    HTMLDialogElement.prototype.showModal = function (this: HTMLDialogElement) {
      this.open = true
    }
    HTMLDialogElement.prototype.close = function (this: HTMLDialogElement) {
      this.open = false
    }
    vi.stubGlobal('fetch', async (path: string, init: RequestInit) => {
      const key = `${init.method} ${path}`
      api.calls.push({ key, body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined })
      const queue = api.script[key]
      const answer = queue && queue.length > 1 ? queue.shift()! : queue?.[0]
      if (!answer) throw new Error(`unexpected ${key}`)
      return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json' } })
    })
  })
  afterEach(() => vi.unstubAllGlobals())
  return api
}

/** `mount(() => <X />)` renders into the document; everything is disposed and cleared after each test. */
export function useMount(): (ui: () => JSX.Element) => HTMLElement {
  let dispose: (() => void) | undefined
  afterEach(() => {
    dispose?.()
    dispose = undefined
    document.body.innerHTML = ''
  })
  return (ui) => {
    const root = document.createElement('div')
    document.body.append(root)
    dispose = render(ui, root)
    return root
  }
}

/** Lets pending fetches and the effects they trigger run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0))
}

/** An element's text as a person reads it: whitespace collapsed. */
export const text = (el: Element | null | undefined) => el?.textContent?.replace(/\s+/g, ' ').trim()

/** The button named `name` (its text or aria-label) under `root`. */
export const button = (root: ParentNode, name: string) =>
  [...root.querySelectorAll('button')].find((b) => text(b) === name || b.getAttribute('aria-label') === name) as HTMLButtonElement
