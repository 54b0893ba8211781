import { createSignal, Show } from 'solid-js'
import { api, type Flags, type RelayDetail } from '../lib/api'
import { errorText } from '../lib/errors'
import { TOGGLES } from '../lib/plans'
import { Alert } from './Alert'
import { Toggle } from './Toggle'

/** One of the relay's switches, saved as soon as it is flipped; the page then follows the sync to the engine. */
export function RelayFlagToggle(props: { relay: RelayDetail; flag: keyof Flags; id: string; description?: string; onChanged: () => Promise<void> }) {
  const spec = () => TOGGLES.find((t) => t.key === props.flag)!
  const [busy, setBusy] = createSignal(false)
  const [error, setError] = createSignal<string | null>(null)
  return (
    <>
      <Toggle
        id={props.id}
        label={spec().label}
        description={props.description ?? spec().description}
        checked={props.relay[props.flag]}
        busy={busy()}
        onChange={async (value) => {
          setBusy(true)
          setError(null)
          try {
            await api.updateRelay(props.relay.id, { [props.flag]: value })
          } catch (err) {
            setError(errorText(err))
          } finally {
            await props.onChanged()
            setBusy(false)
          }
        }}
      />
      <Show when={error()}>
        <Alert>{error()}</Alert>
      </Show>
    </>
  )
}
