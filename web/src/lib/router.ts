// A small history router: the path is a signal, links push state, pages match patterns like /relays/:id.
import { createSignal } from 'solid-js'

const [path, setPath] = createSignal(location.pathname + location.search)
window.addEventListener('popstate', () => setPath(location.pathname + location.search))

export { path }

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === path()) return
  if (options.replace) history.replaceState(null, '', to)
  else history.pushState(null, '', to)
  setPath(to)
  window.scrollTo(0, 0)
}

/** `/relays/:id` against `/relays/abc` → `{id: 'abc'}`; null when it does not match. */
export function match(pattern: string, fullPath: string): Record<string, string> | null {
  const pathname = fullPath.split('?')[0]!.replace(/\/+$/, '') || '/'
  const want = pattern.split('/')
  const got = pathname.split('/')
  if (want.length !== got.length) return null
  const params: Record<string, string> = {}
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!
    const g = got[i]!
    if (w.startsWith(':')) {
      if (g === '') return null
      params[w.slice(1)] = decodeURIComponent(g)
    } else if (w !== g) return null
  }
  return params
}

export function queryParam(name: string): string | null {
  return new URLSearchParams(path().split('?')[1] ?? '').get(name)
}

/** Sets (or, with null, removes) one query parameter in place: no new history entry, no scroll. */
export function setQueryParam(name: string, value: string | null): void {
  const [pathname, search = ''] = path().split('?')
  const params = new URLSearchParams(search)
  if (value === null) params.delete(name)
  else params.set(name, value)
  const query = params.toString()
  const to = query ? `${pathname}?${query}` : pathname!
  if (to === path()) return
  history.replaceState(null, '', to)
  setPath(to)
}
