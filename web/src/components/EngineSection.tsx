import { createSignal, For, onMount, Show } from 'solid-js'
import { api, type Engine, type RelayDetail } from '../lib/api'
import { engineChoiceLabel, moveOutcome, moveRefusal, moveTargets } from '../lib/engines'
import { errorText } from '../lib/errors'
import { Alert } from './Alert'
import { Button } from './Button'
import { ConfirmDialog } from './ConfirmDialog'
import { inputClass } from './Field'
import { Section } from './Section'
import { Spinner } from './Spinner'

/**
 * An admin moving a relay to another engine (docs/operations.md, "Several engines"). Shown only when the
 * deployment has more than one engine; with one there is nowhere to move to.
 */
export function EngineSection(props: { relay: RelayDetail; onMoved: () => Promise<void> }) {
  const [engines, setEngines] = createSignal<Engine[] | undefined>()
  const [loadError, setLoadError] = createSignal<string | null>(null)
  const [target, setTarget] = createSignal('')
  const [open, setOpen] = createSignal(false)
  const [busy, setBusy] = createSignal(false)
  const [error, setError] = createSignal<string | null>(null)
  const [done, setDone] = createSignal<string | null>(null)
  const targets = () => moveTargets(engines() ?? [], props.relay.engine)
  const chosen = () => targets().find((e) => e.name === target()) ?? targets()[0]

  const loadEngines = async () => {
    try {
      setEngines((await api.engines()).items)
      setLoadError(null)
    } catch (err) {
      setLoadError(errorText(err))
    }
  }
  onMount(() => void loadEngines())

  const move = async () => {
    const to = chosen()
    if (!to) return
    setBusy(true)
    setError(null)
    setDone(null)
    try {
      const moved = await api.moveRelay(props.relay.id, to.name)
      setDone(moveOutcome(moved))
      setTarget('')
    } catch (err) {
      setError(moveRefusal(err))
    } finally {
      setBusy(false)
      setOpen(false)
      // Either way the relay and the counts may have changed (a refusal is often a stale page).
      await Promise.all([props.onMoved(), loadEngines()])
    }
  }

  return (
    <>
      <Show when={loadError()}>
        <Alert testid="engines-error">The engines could not be listed: {loadError()}</Alert>
      </Show>
      <Show when={(engines()?.length ?? 0) > 1}>
        <Section title="Engine" id="engine-title" testid="engine-section">
          <p class="text-sm text-slate-700">
            This relay is served by engine <span class="font-semibold" data-testid="engine-current">{props.relay.engine}</span>. Moving it takes its events,
            members, invite codes and bans along; its address stays {props.relay.url}.
          </p>
          <Show when={targets().length > 0}>
            <div class="flex flex-col gap-3 sm:flex-row sm:items-end">
              <div class="space-y-1">
                <label for="move-engine" class="block text-sm font-medium">
                  Target engine
                </label>
                <select
                  id="move-engine"
                  class={`${inputClass} sm:w-auto`}
                  value={chosen()?.name}
                  disabled={busy()}
                  onChange={(e) => (setTarget(e.currentTarget.value), setError(null), setDone(null))}
                >
                  <For each={targets()}>{(e) => <option value={e.name}>{engineChoiceLabel(e)}</option>}</For>
                </select>
              </div>
              <Button variant="secondary" busy={busy()} onClick={() => (setError(null), setDone(null), setOpen(true))}>
                Move to engine…
              </Button>
            </div>
          </Show>
          <Show when={busy()}>
            <Spinner label={`Moving to engine ${chosen()?.name}… the relay is offline until the move is done.`} />
          </Show>
          <Show when={error()}>
            <Alert testid="move-error">{error()}</Alert>
          </Show>
          <Show when={done()}>
            <Alert tone="success" testid="move-done">
              <p>{done()}</p>
              <p class="mt-1">Members reach it through the reverse proxy once the engine map sends its host to the new engine.</p>
            </Alert>
          </Show>
          <ConfirmDialog
            open={open()}
            title={`Move ${props.relay.subdomain} to engine ${chosen()?.name}?`}
            confirmLabel="Move relay"
            danger
            busy={busy()}
            onCancel={() => setOpen(false)}
            onConfirm={() => void move()}
          >
            <p>
              The relay is offline during the move: connections are closed and writes refused from the moment it stops on engine {props.relay.engine} until
              it runs on engine {chosen()?.name}. A large relay takes a while.
            </p>
            <p class="mt-2">
              Its address does not change, so the reverse proxy's engine map must include the new placement (<code>caravel admin engine-map</code>, or
              its <code>--watch</code>): until then the relay cannot be reached through the proxy.
            </p>
          </ConfirmDialog>
        </Section>
      </Show>
    </>
  )
}
