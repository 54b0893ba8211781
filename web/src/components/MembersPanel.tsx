import { createSignal, For, onMount, Show } from 'solid-js'
import { api, type Member, type Members, type RelayDetail } from '../lib/api'
import { errorText } from '../lib/errors'
import { displayName, memberNote, removable, ROLE_LABELS } from '../lib/members'
import { Alert } from './Alert'
import { Avatar } from './Avatar'
import { Badge } from './Badge'
import { Button } from './Button'
import { ConfirmDialog } from './ConfirmDialog'
import { Field, inputClass } from './Field'
import { Section } from './Section'
import { RelayFlagToggle } from './RelayFlagToggle'
import { Spinner } from './Spinner'

/** Members used against the plan's limit, as a meter a screen reader can read. */
export function MemberMeter(props: { used: number; allowed: number | null }) {
  const percent = () => (props.allowed ? Math.min(100, Math.round((props.used / props.allowed) * 100)) : 0)
  const full = () => props.allowed !== null && props.used >= props.allowed
  return (
    <div class="space-y-1">
      <p class="text-sm" data-testid="member-meter-text">
        <span class="font-semibold">{props.used}</span> of {props.allowed === null ? 'unlimited' : props.allowed} members used
        {full() ? ' — the plan is full' : ''}
      </p>
      <Show when={props.allowed !== null}>
        <div
          role="meter"
          aria-label="Members used"
          aria-valuemin={0}
          aria-valuemax={props.allowed!}
          aria-valuenow={props.used}
          aria-valuetext={`${props.used} of ${props.allowed}`}
          class="h-2 w-full overflow-hidden rounded-full bg-slate-100"
        >
          <div class={`h-full rounded-full ${full() ? 'bg-red-500' : 'bg-indigo-600'}`} style={{ width: `${percent()}%` }} />
        </div>
      </Show>
    </div>
  )
}

function MemberRow(props: { member: Member; onRemove: (m: Member) => void }) {
  const m = () => props.member
  const role = () => ROLE_LABELS[m().role]
  return (
    <li class="flex flex-wrap items-center gap-3 py-3" data-testid="member-row" data-pubkey={m().pubkey}>
      <Avatar picture={m().picture} name={displayName(m())} />
      <div class="min-w-0 flex-1">
        <p class="flex flex-wrap items-center gap-2">
          <span class="truncate font-medium" title={m().npub} data-testid="member-name">
            {displayName(m())}
          </span>
          <Badge tone={role().tone} title={role().help} testid="member-role">
            {role().label}
          </Badge>
          <Show when={!m().counts}>
            <span class="text-xs text-slate-500" data-testid="member-not-counted">
              not counted
            </span>
          </Show>
        </p>
        <Show when={m().nip05}>
          <p class="truncate text-xs text-slate-600" data-testid="member-nip05">
            {m().nip05}
          </p>
        </Show>
        <p class="text-xs text-slate-600" data-testid="member-joined">
          {memberNote(m())}
        </p>
      </div>
      <Show when={removable(m())}>
        <Button variant="secondary" onClick={() => props.onRemove(m())} aria-label={`Remove ${displayName(m())}`}>
          Remove
        </Button>
      </Show>
    </li>
  )
}

export function MembersPanel(props: { relay: RelayDetail; onChanged: () => Promise<void> }) {
  const [data, setData] = createSignal<Members | undefined>()
  const [loadError, setLoadError] = createSignal<string | null>(null)
  const [pubkey, setPubkey] = createSignal('')
  const [adding, setAdding] = createSignal(false)
  const [addError, setAddError] = createSignal<string | null>(null)
  const [added, setAdded] = createSignal<string | null>(null)
  const [removing, setRemoving] = createSignal<Member | null>(null)
  const [busy, setBusy] = createSignal(false)

  const load = async () => {
    try {
      setData(await api.members(props.relay.id))
      setLoadError(null)
    } catch (err) {
      setLoadError(errorText(err))
    }
  }
  onMount(() => void load())

  const add = async (e: Event) => {
    e.preventDefault()
    setAddError(null)
    setAdded(null)
    const value = pubkey().trim()
    if (!value) return setAddError('Enter the npub or hex public key of the person to add.')
    setAdding(true)
    try {
      await api.addMember(props.relay.id, value)
      setPubkey('')
      setAdded('Member added.')
      await Promise.all([load(), props.onChanged()])
    } catch (err) {
      setAddError(errorText(err))
      // A refusal (plan full) often means the count shown is stale: fetch it again.
      await load()
    } finally {
      setAdding(false)
    }
  }

  return (
    <>
      <Section title="Members" id="members-title" testid="members-panel">
        <Show when={data()} fallback={<Show when={loadError()} fallback={<Spinner label="Loading members…" />}>{<Alert>{loadError()}</Alert>}</Show>}>
          {(d) => (
            <>
              <MemberMeter used={d().used} allowed={d().allowed} />
              <Show when={loadError()}>
                <Alert>{loadError()}</Alert>
              </Show>
              <Show when={d().members.length > 0} fallback={<p class="text-sm text-slate-600">No members yet.</p>}>
                <ul class="divide-y divide-slate-100" aria-label="Members">
                  <For each={d().members}>{(m) => <MemberRow member={m} onRemove={setRemoving} />}</For>
                </ul>
              </Show>
            </>
          )}
        </Show>
      </Section>
      <Section title="Add a member" id="add-member-title">
        <form class="space-y-3" novalidate onSubmit={add}>
          <Field id="add-member" label="Public key" hint="An npub1… or 64-character hex key. Adding needs relay management on.">
            <input
              id="add-member"
              class={inputClass}
              value={pubkey()}
              autocomplete="off"
              spellcheck={false}
              placeholder="npub1…"
              aria-invalid={!!addError()}
              aria-describedby={addError() ? 'add-member-refusal' : 'add-member-hint'}
              onInput={(e) => (setPubkey(e.currentTarget.value), setAddError(null), setAdded(null))}
            />
          </Field>
          <Show when={addError()}>
            <div id="add-member-refusal">
              <Alert testid="add-member-error">{addError()}</Alert>
            </div>
          </Show>
          <Show when={added()}>
            <Alert tone="success">{added()}</Alert>
          </Show>
          <Button type="submit" busy={adding()}>
            Add member
          </Button>
        </form>
      </Section>
      <Section title="Joining" id="joining-title">
        <RelayFlagToggle
          relay={props.relay}
          flag="policy_public_join"
          id="members-public-join"
          description="Anyone may join the relay without an invite code. Otherwise people join with an invite, or you add them."
          onChanged={props.onChanged}
        />
      </Section>
      <ConfirmDialog
        open={removing() !== null}
        title={`Remove ${removing() ? displayName(removing()!) : ''}?`}
        confirmLabel="Remove"
        danger
        busy={busy()}
        onCancel={() => setRemoving(null)}
        onConfirm={async () => {
          const m = removing()
          if (!m) return
          setBusy(true)
          try {
            await api.removeMember(props.relay.id, m.pubkey)
            setRemoving(null)
            await Promise.all([load(), props.onChanged()])
          } catch (err) {
            setRemoving(null)
            setLoadError(errorText(err))
          } finally {
            setBusy(false)
          }
        }}
      >
        <p>They will no longer be able to read or post on this relay unless they join again. Their events are kept.</p>
      </ConfirmDialog>
    </>
  )
}
