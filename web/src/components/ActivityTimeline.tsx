import { createResource, createSignal, For, Show } from 'solid-js'
import { api, type Activity } from '../lib/api'
import { errorText } from '../lib/errors'
import { formatTime } from '../lib/format'
import { activityLabel } from '../lib/relay'
import { Alert } from './Alert'
import { Button } from './Button'
import { Spinner } from './Spinner'

export const ACTIVITY_PAGE = 10

/** The relay's activity, newest first, a page at a time. `version` reloads it from the top. */
export function ActivityTimeline(props: { relayId: string; version: number }) {
  const [older, setOlder] = createSignal<Activity[]>([])
  const [cursor, setCursor] = createSignal<string | null>(null)
  const [loadingMore, setLoadingMore] = createSignal(false)
  const [moreError, setMoreError] = createSignal<string | null>(null)
  const [first] = createResource(
    () => [props.relayId, props.version] as const,
    async ([id]) => {
      const page = await api.activity(id, { limit: ACTIVITY_PAGE })
      setOlder([])
      setCursor(page.next_cursor)
      return page.items
    },
  )
  const loadMore = async () => {
    const c = cursor()
    if (!c) return
    setLoadingMore(true)
    setMoreError(null)
    try {
      const page = await api.activity(props.relayId, { limit: ACTIVITY_PAGE, cursor: c })
      setOlder([...older(), ...page.items])
      setCursor(page.next_cursor)
    } catch (err) {
      setMoreError(errorText(err))
    } finally {
      setLoadingMore(false)
    }
  }
  const items = () => [...(first.latest ?? []), ...older()]
  return (
    <div class="space-y-3">
      <Show when={!first.error} fallback={<Alert>{errorText(first.error)}</Alert>}>
        <Show when={first.latest !== undefined} fallback={<Spinner label="Loading activity…" />}>
          <Show when={items().length > 0} fallback={<p class="text-sm text-slate-600">Nothing has happened yet.</p>}>
            <ol class="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white" data-testid="activity">
              <For each={items()}>
                {(a) => (
                  <li class="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1 px-3 py-2 text-sm" data-testid="activity-item">
                    <span>
                      <span class="font-medium">{activityLabel(a)}</span>
                      <Show when={a.detail}>
                        <span class="text-slate-600"> — {a.detail}</span>
                      </Show>
                    </span>
                    <span class="text-xs text-slate-500">
                      <Show when={a.relay_plan}>{a.relay_plan} · </Show>
                      <Show when={a.relay_status}>{a.relay_status} · </Show>
                      <time datetime={new Date(a.created_at * 1000).toISOString()}>{formatTime(a.created_at)}</time>
                    </span>
                  </li>
                )}
              </For>
            </ol>
          </Show>
          <Show when={moreError()}>
            <Alert>{moreError()}</Alert>
          </Show>
          <Show when={cursor()}>
            <Button variant="secondary" busy={loadingMore()} onClick={loadMore}>
              Show older activity
            </Button>
          </Show>
        </Show>
      </Show>
    </div>
  )
}
