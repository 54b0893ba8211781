import { createSignal, For, onMount, Show, type JSX } from 'solid-js'
import { api, type BannedEvent, type BannedPubkey, type Page, type RelayDetail } from '../lib/api'
import { errorText } from '../lib/errors'
import { DEFAULT_EXEMPT_KINDS, exemptKindsToSave, splitExemptKinds } from '../lib/kinds'
import { displayName } from '../lib/members'
import { createPagedList } from '../lib/paged'
import { Alert } from './Alert'
import { Avatar } from './Avatar'
import { Button } from './Button'
import { Field, inputClass } from './Field'
import { RelayFlagToggle } from './RelayFlagToggle'
import { Section } from './Section'
import { Spinner } from './Spinner'

const PAGE = 20

/** One kind of ban (people or events): what to type, how to list, ban and lift. */
interface BanSpec<T> {
  title: string
  id: string
  intro: string
  label: string
  hint: string
  button: string
  empty: string
  key: (item: T) => string
  liftLabel: (item: T) => string
  render: (item: T) => JSX.Element
  page: (cursor?: string) => Promise<Page<T>>
  ban: (target: string, reason: string) => Promise<unknown>
  lift: (item: T) => Promise<unknown>
}

/** A "ban this" form (a key or id, a reason, the API's refusal in words) over the paged list of bans, each liftable. */
function BanSection<T>(props: { spec: BanSpec<T> }) {
  const spec = props.spec
  const list = createPagedList<T>(spec.page)
  const [target, setTarget] = createSignal('')
  const [reason, setReason] = createSignal('')
  const [busy, setBusy] = createSignal(false)
  const [error, setError] = createSignal<string | null>(null)
  const [lifting, setLifting] = createSignal<string | null>(null)
  const [liftError, setLiftError] = createSignal<string | null>(null)
  onMount(() => void list.reload())
  return (
    <Section title={spec.title} id={`banned-${spec.id}s-title`} testid={`banned-${spec.id}s`}>
      <p class="text-sm text-slate-600">{spec.intro}</p>
      <form
        class="grid gap-3 sm:grid-cols-[2fr_2fr_auto] sm:items-end"
        novalidate
        onSubmit={async (e) => {
          e.preventDefault()
          setError(null)
          if (!target().trim()) return setError(`Enter the ${spec.label.toLowerCase()} to ban.`)
          setBusy(true)
          try {
            await spec.ban(target().trim(), reason().trim())
            setTarget('')
            setReason('')
            await list.reload()
          } catch (err) {
            setError(errorText(err))
          } finally {
            setBusy(false)
          }
        }}
      >
        <Field id={`ban-${spec.id}-target`} label={spec.label} hint={spec.hint}>
          <input id={`ban-${spec.id}-target`} class={inputClass} value={target()} autocomplete="off" spellcheck={false} onInput={(e) => setTarget(e.currentTarget.value)} />
        </Field>
        <Field id={`ban-${spec.id}-reason`} label="Reason (optional)" hint="Kept with the ban, for you and other moderators.">
          <input id={`ban-${spec.id}-reason`} class={inputClass} value={reason()} maxLength={500} onInput={(e) => setReason(e.currentTarget.value)} />
        </Field>
        <div class="sm:pb-6">
          <Button type="submit" variant="danger" busy={busy()}>
            {spec.button}
          </Button>
        </div>
        <Show when={error()}>
          <div class="sm:col-span-3">
            <Alert testid={`ban-${spec.id}-error`}>{error()}</Alert>
          </div>
        </Show>
      </form>
      <Show when={liftError() || list.error()}>
        <Alert>{liftError() ?? list.error()}</Alert>
      </Show>
      <Show when={list.loaded()} fallback={<Show when={!list.error()}>{<Spinner label="Loading…" />}</Show>}>
        <Show when={list.items().length > 0} fallback={<p class="text-sm text-slate-600">{spec.empty}</p>}>
          <ul class="divide-y divide-slate-100" aria-label={spec.title}>
            <For each={list.items()}>
              {(item) => (
                <li class="flex flex-wrap items-center gap-3 py-2" data-testid={`banned-${spec.id}`} data-key={spec.key(item)}>
                  <div class="min-w-0 flex-1">{spec.render(item)}</div>
                  <Button
                    variant="secondary"
                    busy={lifting() === spec.key(item)}
                    aria-label={spec.liftLabel(item)}
                    onClick={async () => {
                      setLifting(spec.key(item))
                      setLiftError(null)
                      try {
                        await spec.lift(item)
                        list.setItems(list.items().filter((x) => spec.key(x) !== spec.key(item)))
                      } catch (err) {
                        setLiftError(errorText(err))
                      } finally {
                        setLifting(null)
                      }
                    }}
                  >
                    Lift
                  </Button>
                </li>
              )}
            </For>
          </ul>
        </Show>
        <Show when={list.cursor()}>
          <Button variant="secondary" busy={list.loading()} onClick={() => void list.more()}>
            Load more
          </Button>
        </Show>
      </Show>
    </Section>
  )
}

const reasonLine = (r: string) => <p class="break-words text-xs text-slate-600">{r ? `Reason: ${r}` : 'No reason given'}</p>

function Bans(props: { relay: RelayDetail }) {
  const id = props.relay.id
  const people: BanSpec<BannedPubkey> = {
    title: 'Banned people',
    id: 'pubkey',
    intro: 'A banned key is removed from the members, its events are deleted, and the relay refuses it from then on.',
    label: 'Public key',
    hint: 'npub1… or 64-character hex.',
    button: 'Ban',
    empty: 'Nobody is banned.',
    key: (b) => b.pubkey,
    liftLabel: (b) => `Lift the ban on ${displayName(b)}`,
    render: (b) => (
      <div class="flex min-w-0 items-center gap-2">
        <Avatar picture={b.picture} name={displayName(b)} size="sm" />
        <div class="min-w-0">
          <p class="truncate text-sm font-medium" title={b.npub}>
            {displayName(b)}
          </p>
          {reasonLine(b.reason)}
        </div>
      </div>
    ),
    page: (cursor) => api.bans(id, { cursor, limit: PAGE }),
    ban: (pubkey, reason) => api.ban(id, pubkey, reason),
    lift: (b) => api.unban(id, b.pubkey),
  }
  const events: BanSpec<BannedEvent> = {
    title: 'Banned events',
    id: 'event',
    intro: 'A banned event is deleted and refused if anyone sends it again.',
    label: 'Event id',
    hint: '64 hexadecimal characters.',
    button: 'Ban event',
    empty: 'No event is banned.',
    key: (b) => b.id,
    liftLabel: (b) => `Lift the ban on event ${b.id}`,
    render: (b) => (
      <>
        <p class="break-all font-mono text-xs">{b.id}</p>
        {reasonLine(b.reason)}
      </>
    ),
    page: (cursor) => api.bannedEvents(id, { cursor, limit: PAGE }),
    ban: (eventId, reason) => api.banEvent(id, eventId, reason),
    lift: (b) => api.unbanEvent(id, b.id),
  }
  return (
    <>
      <BanSection spec={people} />
      <BanSection spec={events} />
    </>
  )
}

/** Kinds that pass the relay's access rules when addressed to members: the defaults as checkboxes, plus custom kinds. */
export function ExemptKinds(props: { relay: RelayDetail; onChanged: () => Promise<void> }) {
  const initial = splitExemptKinds(props.relay.exempt_kinds)
  const [checked, setChecked] = createSignal<number[]>(initial.checked)
  const [custom, setCustom] = createSignal(initial.custom)
  const [busy, setBusy] = createSignal(false)
  const [error, setError] = createSignal<string | null>(null)
  const [saved, setSaved] = createSignal(false)
  const toggle = (kind: number, on: boolean) => {
    setChecked(on ? [...checked(), kind] : checked().filter((k) => k !== kind))
    setSaved(false)
  }
  return (
    <Section title="Exempt kinds" id="exempt-kinds-title" testid="exempt-kinds">
      <form
        class="space-y-3"
        novalidate
        onSubmit={async (e) => {
          e.preventDefault()
          setError(null)
          setSaved(false)
          const next = exemptKindsToSave(checked(), custom())
          if ('error' in next) return setError(next.error)
          setBusy(true)
          try {
            await api.updateRelay(props.relay.id, { exempt_kinds: next.kinds })
            setSaved(true)
            await props.onChanged()
          } catch (err) {
            setError(errorText(err))
          } finally {
            setBusy(false)
          }
        }}
      >
        <fieldset class="space-y-2">
          <legend class="text-sm text-slate-600">
            On a private relay these kinds still reach members from outside (and pass between members), so private messages, zaps, wallets and
            remote signers keep working.
          </legend>
          <For each={DEFAULT_EXEMPT_KINDS}>
            {(k) => (
              <div class="flex items-start gap-3">
                <input
                  id={`exempt-${k.kind}`}
                  type="checkbox"
                  class="mt-1 size-4 shrink-0 accent-indigo-600"
                  checked={checked().includes(k.kind)}
                  aria-describedby={`exempt-${k.kind}-help`}
                  onChange={(e) => toggle(k.kind, e.currentTarget.checked)}
                />
                <div>
                  <label for={`exempt-${k.kind}`} class="text-sm font-medium">
                    {k.label} ({k.kind})
                  </label>
                  <p id={`exempt-${k.kind}-help`} class="text-xs text-slate-600">
                    {k.description}
                  </p>
                </div>
              </div>
            )}
          </For>
        </fieldset>
        <Field id="exempt-custom" label="Other kinds (optional)" hint="Kind numbers separated by commas, e.g. 7, 30023.">
          <input
            id="exempt-custom"
            class={inputClass}
            inputMode="numeric"
            value={custom()}
            aria-invalid={!!error()}
            onInput={(e) => (setCustom(e.currentTarget.value), setSaved(false))}
          />
        </Field>
        <Show when={error()}>
          <Alert testid="exempt-kinds-error">{error()}</Alert>
        </Show>
        <Show when={saved()}>
          <Alert tone="success">Exempt kinds saved.</Alert>
        </Show>
        <Button type="submit" busy={busy()}>
          Save exempt kinds
        </Button>
      </form>
    </Section>
  )
}

export function ModerationPanel(props: { relay: RelayDetail; onChanged: () => Promise<void> }) {
  return (
    <>
      <Section title="Relay management" id="management-title">
        <Show when={!props.relay.management_enabled}>
          <Alert tone="info" testid="management-off">
            Banning people and events, and adding members by key, work through relay management (NIP-86), which is off for this relay. Turn it on to
            moderate here; it also lets you moderate from a Nostr client that supports NIP-86.
          </Alert>
        </Show>
        <RelayFlagToggle relay={props.relay} flag="management_enabled" id="moderation-management" onChanged={props.onChanged} />
      </Section>
      <Show when={props.relay.management_enabled}>
        {/* The engine takes bans once it has the switch: wait for the sync the page is following. */}
        <Show when={props.relay.synced} fallback={<Spinner label="Turning on relay management…" />}>
          <Bans relay={props.relay} />
        </Show>
      </Show>
      <ExemptKinds relay={props.relay} onChanged={props.onChanged} />
    </>
  )
}
