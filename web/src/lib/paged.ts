// A keyset-paged list: the first page, then "load more" with the cursor the API gave.
import { createSignal } from 'solid-js'
import type { Page } from './api'
import { errorText } from './errors'

export function createPagedList<T>(fetchPage: (cursor?: string) => Promise<Page<T>>) {
  const [items, setItems] = createSignal<T[]>([])
  const [cursor, setCursor] = createSignal<string | null>(null)
  const [loading, setLoading] = createSignal(false)
  const [loaded, setLoaded] = createSignal(false)
  const [error, setError] = createSignal<string | null>(null)
  let generation = 0

  const load = async (more: boolean) => {
    const mine = more ? generation : ++generation
    setLoading(true)
    setError(null)
    try {
      const page = await fetchPage(more ? (cursor() ?? undefined) : undefined)
      if (mine !== generation) return
      setItems(more ? [...items(), ...page.items] : page.items)
      setCursor(page.next_cursor)
      setLoaded(true)
    } catch (err) {
      if (mine === generation) setError(errorText(err))
    } finally {
      if (mine === generation) setLoading(false)
    }
  }

  return { items, setItems, cursor, loading, loaded, error, reload: () => load(false), more: () => load(true) }
}
