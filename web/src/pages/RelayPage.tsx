import { createSignal, For, Match, onCleanup, onMount, Show, Switch } from 'solid-js'
import { ActivityTimeline } from '../components/ActivityTimeline'
import { Alert } from '../components/Alert'
import { AccountBanner } from '../components/BillingBanner'
import { LightningDialog } from '../components/LightningDialog'
import { TenantBilling } from '../components/TenantBilling'
import { Button } from '../components/Button'
import { ConfirmDialog } from '../components/ConfirmDialog'
import { RelayUrl } from '../components/CopyButton'
import { Section } from '../components/Section'
import { DataPanel } from '../components/DataPanel'
import { EngineSection } from '../components/EngineSection'
import { InvitesPanel } from '../components/InvitesPanel'
import { MembersPanel } from '../components/MembersPanel'
import { ModerationPanel } from '../components/ModerationPanel'
import { StatsPanel } from '../components/StatsPanel'
import { TabPanel, Tabs, type TabSpec } from '../components/Tabs'
import { Field, inputClass } from '../components/Field'
import { PageTitle } from '../components/Layout'
import { Link } from '../components/Link'
import { PlanPicker } from '../components/PlanPicker'
import { StatusBadge, SyncBadge } from '../components/RelayBadges'
import { Spinner } from '../components/Spinner'
import { Toggle } from '../components/Toggle'
import { api, type Flags, type RelayDetail, type RelayPatch, type Tenant } from '../lib/api'
import { billingChanged } from '../lib/account'
import { planBillingNote } from '../lib/billing'
import { errorText } from '../lib/errors'
import { formatTime, npub } from '../lib/format'
import { formatMembers, planChangeProblem, TOGGLES, toggleBlockedReason } from '../lib/plans'
import { relayTitle, STATUS_LABELS, syncState } from '../lib/relay'
import { config, plans } from '../lib/session'
import { navigate, queryParam, setQueryParam } from '../lib/router'
import { iconUrlMessage, lengthMessage } from '../lib/validation'

const TABS: TabSpec[] = [
  { id: 'settings', label: 'Settings' },
  { id: 'members', label: 'Members' },
  { id: 'invites', label: 'Invites' },
  { id: 'moderation', label: 'Moderation' },
  { id: 'stats', label: 'Stats' },
  { id: 'data', label: 'Data' },
]

export function RelayPage(props: { id: string; admin?: boolean }) {
  const [relay, setRelay] = createSignal<RelayDetail | undefined>()
  const [loadError, setLoadError] = createSignal<string | null>(null)
  const [activityVersion, setActivityVersion] = createSignal(0)
  const [owner, setOwner] = createSignal<Tenant | undefined>()
  const [payFind, setPayFind] = createSignal<{ pubkey: string; since: number } | undefined>()
  const billing = () => config()?.billing_enabled ?? false
  const tab = () => {
    const t = queryParam('tab')
    return TABS.some((x) => x.id === t) ? t! : 'settings'
  }
  let pollTimer: ReturnType<typeof setTimeout> | undefined
  let disposed = false

  const schedulePoll = (r: RelayDetail) => {
    clearTimeout(pollTimer)
    if (r.synced || disposed) return
    // Going live takes moments; a failing sync is retried by the server with backoff, so look less often.
    pollTimer = setTimeout(() => void load(), r.sync_error ? 5000 : 1000)
  }

  const load = async () => {
    try {
      const before = relay()
      const r = await api.relay(props.id)
      if (disposed) return
      if (!before) {
        if (billing()) void loadOwner(r.tenant)
        // Just created on a paid plan: its first invoice is paid right here (or set up on the account page).
        if (!props.admin && queryParam('pay') && config()?.lightning_enabled) setPayFind({ pubkey: r.tenant, since: r.created_at })
      }
      setRelay(r)
      setLoadError(null)
      if (before && before.synced !== r.synced) setActivityVersion((v) => v + 1)
      schedulePoll(r)
    } catch (err) {
      if (!disposed) setLoadError(errorText(err))
    }
  }
  const loadOwner = async (pubkey: string) => {
    try {
      const t = await api.tenant(pubkey)
      if (!disposed) setOwner(t)
    } catch {
      // Billing details are extra here; the relay itself is shown either way.
    }
  }
  onMount(() => void load())
  onCleanup(() => {
    disposed = true
    clearTimeout(pollTimer)
  })

  /** After a write the relay is unsynced until the engine has it: show that and follow it. */
  const applied = async () => {
    setActivityVersion((v) => v + 1)
    await load()
  }

  const closePay = () => {
    setPayFind(undefined)
    if (queryParam('pay')) navigate(location.pathname, { replace: true })
  }

  return (
    <Show when={relay()} fallback={<Show when={loadError()} fallback={<Spinner label="Loading relay…" />}>{<Alert>{loadError()}</Alert>}</Show>}>
      {(r) => (
        <div class="space-y-5">
          <div class="space-y-2">
            <Show when={props.admin}>
              <Link href="/admin/relays" class="text-sm text-indigo-700 hover:underline">
                ← All relays
              </Link>
            </Show>
            <Show when={!props.admin}>
              <Link href="/relays" class="text-sm text-indigo-700 hover:underline">
                ← My relays
              </Link>
            </Show>
            <PageTitle>{relayTitle(r())}</PageTitle>
            <div class="flex flex-wrap items-center gap-2">
              <StatusBadge status={r().status} />
              <SyncBadge relay={r()} />
              <RelayUrl url={r().url} />
            </div>
            <p class="text-sm text-slate-600">{STATUS_LABELS[r().status].help}</p>
            <Show when={props.admin}>
              <p class="break-all text-sm text-slate-600">
                Tenant{' '}
                <Link href={`/admin/tenants/${r().tenant}`} class="font-mono text-xs text-indigo-700 hover:underline">
                  {npub(r().tenant)}
                </Link>
              </p>
              <p class="text-sm text-slate-600">
                Engine <span class="font-mono text-xs font-semibold text-slate-800" data-testid="relay-engine">{r().engine}</span>
              </p>
            </Show>
            <Show when={loadError()}>
              <Alert>{loadError()}</Alert>
            </Show>
          </div>
          <Show when={!props.admin}>
            <AccountBanner />
          </Show>
          <Show when={props.admin && owner()}>
            {(t) => (
              <Section title="Billing" id="billing-title">
                <Show when={r().status === 'delinquent'}>
                  <Alert testid="relay-delinquent">This relay is suspended for an unpaid invoice of its tenant.</Alert>
                </Show>
                <TenantBilling tenant={t()} graceDays={config()?.billing_grace_days} />
              </Section>
            )}
          </Show>
          <SyncPanel relay={r()} admin={props.admin} onSynced={(next) => (setRelay({ ...r(), ...next }), void applied())} />
          <Tabs label="Relay" idPrefix="relay" tabs={TABS} selected={tab()} onSelect={(t) => setQueryParam('tab', t === 'settings' ? null : t)} />
          <TabPanel idPrefix="relay" tab={tab()}>
            <Switch>
              <Match when={tab() === 'settings'}>
                <PlanSection
                  relay={r()}
                  owner={owner()}
                  admin={props.admin}
                  onChanged={applied}
                  onPayNow={(since) => setPayFind({ pubkey: r().tenant, since })}
                />
                <InfoSection relay={r()} onChanged={applied} />
                <FeaturesSection relay={r()} onChanged={applied} />
                <Section title="Activity" id="activity-title">
                  <ActivityTimeline relayId={r().id} version={activityVersion()} />
                </Section>
                <Show when={props.admin}>
                  <EngineSection relay={r()} onMoved={applied} />
                </Show>
                <StatusSection relay={r()} onChanged={applied} />
              </Match>
              <Match when={tab() === 'members'}>
                <MembersPanel relay={r()} onChanged={applied} />
              </Match>
              <Match when={tab() === 'invites'}>
                <InvitesPanel relay={r()} />
              </Match>
              <Match when={tab() === 'moderation'}>
                <ModerationPanel relay={r()} onChanged={applied} />
              </Match>
              <Match when={tab() === 'stats'}>
                <StatsPanel relay={r()} />
              </Match>
              <Match when={tab() === 'data'}>
                <DataPanel relay={r()} />
              </Match>
            </Switch>
          </TabPanel>
          <LightningDialog
            open={payFind() !== undefined}
            find={payFind()}
            setupInstead
            onClose={closePay}
            onPaid={() => {
              void load()
              void loadOwner(r().tenant)
              // Stripe marks the invoice paid out of band a moment later: look again then too.
              billingChanged()
              setTimeout(billingChanged, 3000)
            }}
          />
        </div>
      )}
    </Show>
  )
}

function SyncPanel(props: { relay: RelayDetail; admin?: boolean; onSynced: (r: Partial<RelayDetail>) => void }) {
  const [busy, setBusy] = createSignal(false)
  const [error, setError] = createSignal<string | null>(null)
  const s = () => syncState(props.relay)
  return (
    <div data-testid="sync-state" data-state={s().state}>
      <Switch>
        <Match when={s().state === 'syncing'}>
          <Alert tone="warning">
            <Spinner
              label={
                props.relay.status === 'active'
                  ? 'Going live: the relay engine is being set up with the latest settings…'
                  : 'Updating the relay engine…'
              }
            />
          </Alert>
        </Match>
        <Match when={s().state === 'error'}>
          <Alert testid="sync-error">
            <p class="font-medium">The relay engine has not taken the latest settings yet.</p>
            <p>{(s() as { message: string }).message}</p>
            <p class="mt-1 text-xs">It is retried automatically.</p>
          </Alert>
        </Match>
        <Match when={s().state === 'synced' && props.relay.status === 'active'}>
          <Alert tone="success">Live: members can connect at the address above.</Alert>
        </Match>
      </Switch>
      <Show when={props.admin}>
        <div class="mt-2 flex flex-wrap items-center gap-3">
          <Button
            variant="secondary"
            busy={busy()}
            onClick={async () => {
              setBusy(true)
              setError(null)
              try {
                props.onSynced(await api.sync(props.relay.id))
              } catch (err) {
                setError(errorText(err))
              } finally {
                setBusy(false)
              }
            }}
          >
            Force re-sync
          </Button>
          <span class="text-xs text-slate-500">Last change {formatTime(props.relay.updated_at)}</span>
        </div>
        <Show when={error()}>
          <Alert class="mt-2">{error()}</Alert>
        </Show>
      </Show>
    </div>
  )
}

function PlanSection(props: {
  relay: RelayDetail
  owner?: Tenant
  admin?: boolean
  onChanged: () => Promise<void>
  onPayNow: (since: number) => void
}) {
  const [choice, setChoice] = createSignal(props.relay.plan)
  const [busy, setBusy] = createSignal(false)
  const [error, setError] = createSignal<string | null>(null)
  const [done, setDone] = createSignal<string | null>(null)
  const target = () => plans().find((p) => p.id === choice())
  const problem = () => {
    const t = target()
    return t ? planChangeProblem(props.relay, props.relay.members, t) : null
  }
  const current = () => plans().find((p) => p.id === props.relay.plan)
  const billingNote = () => {
    const t = target()
    if (!t || props.relay.status !== 'active') return null
    return planBillingNote(t, {
      billingEnabled: config()?.billing_enabled ?? false,
      hasSubscription: !!props.owner?.stripe_subscription_id,
      from: current(),
      lightning: config()?.lightning_enabled,
    })
  }
  const change = async () => {
    setError(null)
    setDone(null)
    const p = problem()
    if (p) return setError(p)
    setBusy(true)
    // Moving to a paid plan without a running subscription opens a first invoice: pay it right away.
    const paysNow =
      !props.admin &&
      !!config()?.billing_enabled &&
      !!config()?.lightning_enabled &&
      props.relay.status === 'active' &&
      (target()?.amount ?? 0) > 0 &&
      !props.owner?.stripe_subscription_id
    const since = Math.floor(Date.now() / 1000)
    try {
      await api.updateRelay(props.relay.id, { plan: choice() })
      setDone(`Plan changed to ${target()?.name ?? choice()}.`)
      if (paysNow) props.onPayNow(since)
      await props.onChanged()
    } catch (err) {
      setError(errorText(err))
      // A refusal often means the page's member count is stale: fetch the relay again.
      await props.onChanged()
    } finally {
      setBusy(false)
    }
  }
  return (
    <Section title="Plan and members" id="plan-title">
      <dl class="grid grid-cols-2 gap-3 text-sm sm:grid-cols-3">
        <div>
          <dt class="text-slate-600">Plan</dt>
          <dd class="font-semibold" data-testid="current-plan">
            {plans().find((p) => p.id === props.relay.plan)?.name ?? props.relay.plan}
          </dd>
        </div>
        <div>
          <dt class="text-slate-600">Members</dt>
          <dd class="font-semibold" data-testid="members">
            {formatMembers(props.relay.members)}
          </dd>
        </div>
      </dl>
      <PlanPicker
        name="change-plan"
        plans={plans()}
        value={choice()}
        billingEnabled={config()?.billing_enabled ?? false}
        onChange={(id) => {
          setChoice(id)
          setError(null)
          setDone(null)
        }}
      />
      <Show when={billingNote() && choice() !== props.relay.plan && !problem()}>
        <Alert tone="info" testid="billing-note">
          {billingNote()}
        </Alert>
      </Show>
      <Show when={problem()}>
        <Alert tone="warning" testid="plan-problem">
          {problem()}
        </Alert>
      </Show>
      <Show when={error() && error() !== problem()}>
        <Alert testid="plan-error">{error()}</Alert>
      </Show>
      <Show when={done()}>
        <Alert tone="success">{done()}</Alert>
      </Show>
      <Button busy={busy()} disabled={choice() === props.relay.plan || !!problem()} onClick={change}>
        Change plan
      </Button>
    </Section>
  )
}

function InfoSection(props: { relay: RelayDetail; onChanged: () => Promise<void> }) {
  const [name, setName] = createSignal(props.relay.info_name)
  const [icon, setIcon] = createSignal(props.relay.info_icon)
  const [description, setDescription] = createSignal(props.relay.info_description)
  const [busy, setBusy] = createSignal(false)
  const [error, setError] = createSignal<string | null>(null)
  const [saved, setSaved] = createSignal(false)
  const nameError = () => lengthMessage('info_name', name(), 'The name')
  const iconError = () => iconUrlMessage(icon()) ?? lengthMessage('info_icon', icon(), 'The icon address')
  const descriptionError = () => lengthMessage('info_description', description(), 'The description')
  const changed = () => name() !== props.relay.info_name || icon() !== props.relay.info_icon || description() !== props.relay.info_description
  return (
    <Section title="Relay information" id="info-title">
      <form
        class="space-y-4"
        novalidate
        onSubmit={async (e) => {
          e.preventDefault()
          setSaved(false)
          setError(null)
          if (nameError() || iconError() || descriptionError()) return
          setBusy(true)
          try {
            const patch: RelayPatch = { info_name: name().trim(), info_icon: icon().trim(), info_description: description().trim() }
            await api.updateRelay(props.relay.id, patch)
            setSaved(true)
            await props.onChanged()
          } catch (err) {
            setError(errorText(err))
          } finally {
            setBusy(false)
          }
        }}
      >
        <p class="text-sm text-slate-600">What Nostr clients show about the relay (NIP-11).</p>
        <Field id="edit-name" label="Name" error={nameError()}>
          <input id="edit-name" class={inputClass} value={name()} aria-invalid={!!nameError()} onInput={(e) => (setName(e.currentTarget.value), setSaved(false))} />
        </Field>
        <Field id="edit-icon" label="Icon address" error={iconError()} hint="An http(s) link to a square image.">
          <input
            id="edit-icon"
            type="url"
            class={inputClass}
            value={icon()}
            aria-invalid={!!iconError()}
            placeholder="https://…"
            onInput={(e) => (setIcon(e.currentTarget.value), setSaved(false))}
          />
        </Field>
        <Field id="edit-description" label="Description" error={descriptionError()}>
          <textarea
            id="edit-description"
            rows={3}
            class={inputClass}
            value={description()}
            onInput={(e) => (setDescription(e.currentTarget.value), setSaved(false))}
          />
        </Field>
        <Show when={error()}>
          <Alert>{error()}</Alert>
        </Show>
        <Show when={saved()}>
          <Alert tone="success">Saved.</Alert>
        </Show>
        <Button type="submit" busy={busy()} disabled={!changed()}>
          Save information
        </Button>
      </form>
    </Section>
  )
}

function FeaturesSection(props: { relay: RelayDetail; onChanged: () => Promise<void> }) {
  const [busyKey, setBusyKey] = createSignal<keyof Flags | null>(null)
  const [error, setError] = createSignal<string | null>(null)
  const plan = () => plans().find((p) => p.id === props.relay.plan)
  return (
    <Section title="Features and policies" id="features-title">
      <div class="divide-y divide-slate-100">
        <For each={TOGGLES}>
          {(t) => (
            <Toggle
              id={t.key}
              label={t.label}
              description={t.description}
              checked={props.relay[t.key]}
              busy={busyKey() === t.key}
              disabled={busyKey() !== null}
              blockedReason={toggleBlockedReason(t, plan(), plans())}
              onChange={async (value) => {
                setBusyKey(t.key)
                setError(null)
                try {
                  await api.updateRelay(props.relay.id, { [t.key]: value })
                  await props.onChanged()
                } catch (err) {
                  setError(errorText(err))
                  await props.onChanged()
                } finally {
                  setBusyKey(null)
                }
              }}
            />
          )}
        </For>
      </div>
      <Show when={error()}>
        <Alert>{error()}</Alert>
      </Show>
    </Section>
  )
}

function StatusSection(props: { relay: RelayDetail; onChanged: () => Promise<void> }) {
  const [open, setOpen] = createSignal(false)
  const [busy, setBusy] = createSignal(false)
  const [error, setError] = createSignal<string | null>(null)
  const active = () => props.relay.status === 'active'
  return (
    <Section title={active() ? 'Deactivate' : 'Reactivate'} id="status-title">
      <p class="text-sm text-slate-700">
        {active()
          ? 'Deactivating stops the relay: members cannot connect. Its events and settings are kept and it can be reactivated.'
          : props.relay.status === 'delinquent'
            ? 'This relay is suspended for an unpaid invoice; paying it (on your account page) brings the relay back.'
            : 'The relay is stopped. Reactivating serves it again with everything it had.'}
      </p>
      <Show when={error()}>
        <Alert>{error()}</Alert>
      </Show>
      <Button variant={active() ? 'danger' : 'primary'} onClick={() => (setError(null), setOpen(true))}>
        {active() ? 'Deactivate relay' : 'Reactivate relay'}
      </Button>
      <ConfirmDialog
        open={open()}
        title={active() ? `Deactivate ${props.relay.subdomain}?` : `Reactivate ${props.relay.subdomain}?`}
        confirmLabel={active() ? 'Deactivate' : 'Reactivate'}
        danger={active()}
        busy={busy()}
        onCancel={() => setOpen(false)}
        onConfirm={async () => {
          setBusy(true)
          try {
            if (active()) await api.deactivate(props.relay.id)
            else await api.activate(props.relay.id)
            setOpen(false)
            await props.onChanged()
          } catch (err) {
            setOpen(false)
            setError(errorText(err))
          } finally {
            setBusy(false)
          }
        }}
      >
        {active() ? (
          <p>Members will be disconnected and new connections refused until you reactivate it. Nothing is deleted.</p>
        ) : (
          <p>The relay will accept connections again at {props.relay.url}.</p>
        )}
      </ConfirmDialog>
    </Section>
  )
}
