import { createSignal, For, onMount, Show } from 'solid-js'
import { api, type Invite, type RelayDetail } from '../lib/api'
import { errorText } from '../lib/errors'
import { formatDate } from '../lib/format'
import { inviteState, parseInviteForm } from '../lib/invites'
import { displayName } from '../lib/members'
import { Alert } from './Alert'
import { Avatar } from './Avatar'
import { Badge } from './Badge'
import { Button } from './Button'
import { ConfirmDialog } from './ConfirmDialog'
import { CopyButton } from './CopyButton'
import { Field, inputClass } from './Field'
import { QrCode } from './QrCode'
import { Section } from './Section'
import { Spinner } from './Spinner'

function InviteCard(props: { invite: Invite; onRevoke: (i: Invite) => void }) {
  const [qr, setQr] = createSignal(false)
  const i = () => props.invite
  const state = () => inviteState(i(), Math.floor(Date.now() / 1000))
  const qrId = () => `invite-qr-${i().code}`
  return (
    <li class="space-y-3 py-4" data-testid="invite" data-code={i().code}>
      <div class="flex flex-wrap items-center gap-2">
        <code class="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-sm font-semibold" data-testid="invite-code">
          {i().code}
        </code>
        <span class="min-w-0 break-words font-medium">{i().label || 'Untitled invite'}</span>
        <Badge tone={state().tone} testid="invite-state">
          {state().label}
        </Badge>
      </div>
      <dl class="grid grid-cols-2 gap-2 text-sm sm:grid-cols-3">
        <div>
          <dt class="text-slate-600">Uses</dt>
          <dd data-testid="invite-uses">{i().max_uses === null ? `${i().uses} (no limit)` : `${i().uses} / ${i().max_uses}`}</dd>
        </div>
        <div>
          <dt class="text-slate-600">Expires</dt>
          <dd>{i().expires_at === null ? 'Never' : formatDate(i().expires_at!)}</dd>
        </div>
        <div>
          <dt class="text-slate-600">Created</dt>
          <dd>{formatDate(i().created_at)}</dd>
        </div>
      </dl>
      <Show when={!i().revoked}>
        <div class="flex flex-wrap items-center gap-2">
          <code class="min-w-0 break-all rounded bg-slate-50 px-1.5 py-0.5 text-xs text-slate-700" data-testid="invite-link">
            {i().link}
          </code>
          <CopyButton text={i().link} label="Copy link" />
          <button
            type="button"
            class="rounded-md px-2 py-1 text-xs font-semibold text-indigo-700 ring-1 ring-inset ring-indigo-200 hover:bg-indigo-50"
            aria-expanded={qr()}
            aria-controls={qrId()}
            onClick={() => setQr(!qr())}
          >
            {qr() ? 'Hide QR code' : 'QR code'}
          </button>
          <Button variant="ghost" class="text-red-700" onClick={() => props.onRevoke(i())} aria-label={`Revoke invite ${i().code}`}>
            Revoke
          </Button>
        </div>
        <Show when={qr()}>
          <div id={qrId()}>
            <QrCode text={i().link} label={`QR code of the invite link ${i().link}`} />
          </div>
        </Show>
      </Show>
      <div>
        <h3 class="text-sm font-medium text-slate-700">Joined with this invite</h3>
        <Show when={i().joins.length > 0} fallback={<p class="text-sm text-slate-500">Nobody yet.</p>}>
          <ul class="mt-1 space-y-1" aria-label={`People who joined with ${i().code}`}>
            <For each={i().joins}>
              {(j) => (
                <li class="flex items-center gap-2 text-sm" data-testid="invite-join" data-pubkey={j.pubkey}>
                  <Avatar picture={j.picture} name={displayName(j)} size="sm" />
                  <span class="min-w-0 truncate font-medium" title={j.npub}>
                    {displayName(j)}
                  </span>
                  <span class="shrink-0 text-xs text-slate-500">{formatDate(j.joined_at)}</span>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </div>
    </li>
  )
}

export function InvitesPanel(props: { relay: RelayDetail }) {
  const [invites, setInvites] = createSignal<Invite[] | undefined>()
  const [loadError, setLoadError] = createSignal<string | null>(null)
  const [label, setLabel] = createSignal('')
  const [maxUses, setMaxUses] = createSignal('')
  const [expires, setExpires] = createSignal('')
  const [formError, setFormError] = createSignal<string | null>(null)
  const [creating, setCreating] = createSignal(false)
  const [created, setCreated] = createSignal<string | null>(null)
  const [revoking, setRevoking] = createSignal<Invite | null>(null)
  const [busy, setBusy] = createSignal(false)

  const load = async () => {
    try {
      setInvites((await api.invites(props.relay.id)).items)
      setLoadError(null)
    } catch (err) {
      setLoadError(errorText(err))
    }
  }
  onMount(() => void load())

  return (
    <>
      <Section title="New invite" id="new-invite-title">
        <form
          class="space-y-3"
          novalidate
          onSubmit={async (e) => {
            e.preventDefault()
            setFormError(null)
            setCreated(null)
            const parsed = parseInviteForm({ label: label(), maxUses: maxUses(), expires: expires() }, new Date())
            if ('error' in parsed) return setFormError(parsed.error)
            setCreating(true)
            try {
              const invite = await api.createInvite(props.relay.id, parsed.input)
              setCreated(`Invite ${invite.code} created. Share its link.`)
              setLabel('')
              setMaxUses('')
              setExpires('')
              setInvites([invite, ...(invites() ?? []).filter((i) => i.code !== invite.code)])
            } catch (err) {
              setFormError(errorText(err))
            } finally {
              setCreating(false)
            }
          }}
        >
          <p class="text-sm text-slate-600">An invite link lets people join this relay from their Nostr signer, even when public join is off.</p>
          <div class="grid gap-3 sm:grid-cols-3">
            <Field id="invite-label" label="Label (optional)">
              <input id="invite-label" class={inputClass} value={label()} maxLength={100} placeholder="e.g. Meetup flyers" onInput={(e) => setLabel(e.currentTarget.value)} />
            </Field>
            <Field id="invite-max-uses" label="Max uses (optional)">
              <input id="invite-max-uses" type="number" inputMode="numeric" min="1" class={inputClass} value={maxUses()} onInput={(e) => setMaxUses(e.currentTarget.value)} />
            </Field>
            <Field id="invite-expires" label="Expires on (optional)">
              <input id="invite-expires" type="date" class={inputClass} value={expires()} onInput={(e) => setExpires(e.currentTarget.value)} />
            </Field>
          </div>
          <Show when={formError()}>
            <Alert testid="invite-error">{formError()}</Alert>
          </Show>
          <Show when={created()}>
            <Alert tone="success">{created()}</Alert>
          </Show>
          <Button type="submit" busy={creating()}>
            Create invite
          </Button>
        </form>
      </Section>
      <Section title="Invites" id="invites-title" testid="invites-panel">
        <Show when={invites()} fallback={<Show when={loadError()} fallback={<Spinner label="Loading invites…" />}>{<Alert>{loadError()}</Alert>}</Show>}>
          {(list) => (
            <>
              <Show when={loadError()}>
                <Alert>{loadError()}</Alert>
              </Show>
              <Show when={list().length > 0} fallback={<p class="text-sm text-slate-600">No invites yet.</p>}>
                <ul class="divide-y divide-slate-100" aria-label="Invites">
                  <For each={list()}>{(i) => <InviteCard invite={i} onRevoke={setRevoking} />}</For>
                </ul>
              </Show>
            </>
          )}
        </Show>
      </Section>
      <ConfirmDialog
        open={revoking() !== null}
        title={`Revoke invite ${revoking()?.code ?? ''}?`}
        confirmLabel="Revoke"
        danger
        busy={busy()}
        onCancel={() => setRevoking(null)}
        onConfirm={async () => {
          const invite = revoking()
          if (!invite) return
          setBusy(true)
          try {
            const revoked = await api.revokeInvite(props.relay.id, invite.code)
            setInvites((invites() ?? []).map((i) => (i.code === revoked.code ? revoked : i)))
            setRevoking(null)
          } catch (err) {
            setRevoking(null)
            setLoadError(errorText(err))
          } finally {
            setBusy(false)
          }
        }}
      >
        <p>Its link stops working at once. People who already joined with it stay members.</p>
      </ConfirmDialog>
    </>
  )
}
