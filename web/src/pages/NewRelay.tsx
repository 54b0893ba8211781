import { createSignal, Match, onMount, Show, Switch } from 'solid-js'
import { Alert } from '../components/Alert'
import { Button } from '../components/Button'
import { Field, inputClass } from '../components/Field'
import { PageTitle } from '../components/Layout'
import { Link } from '../components/Link'
import { PlanPicker } from '../components/PlanPicker'
import { Spinner } from '../components/Spinner'
import { api, type Tenant } from '../lib/api'
import { planBillingNote } from '../lib/billing'
import { createAvailability } from '../lib/availability'
import { ApiError, errorText } from '../lib/errors'
import { navigate } from '../lib/router'
import { config, identity, plans } from '../lib/session'
import { LIMITS, lengthMessage, normaliseSubdomain } from '../lib/validation'

export function NewRelay() {
  const [subdomain, setSubdomain] = createSignal('')
  const [name, setName] = createSignal('')
  const [description, setDescription] = createSignal('')
  const [plan, setPlan] = createSignal('free')
  const [touched, setTouched] = createSignal(false)
  const [busy, setBusy] = createSignal(false)
  const [error, setError] = createSignal<string | null>(null)
  const availability = createAvailability()
  const [tenant, setTenant] = createSignal<Tenant | undefined>()
  onMount(() => {
    // Whether a subscription already runs decides what a paid plan bills now (a first invoice, or a prorated line).
    if (config()?.billing_enabled) void api.tenant(identity()!.pubkey).then(setTenant, () => undefined)
  })
  const chosen = () => plans().find((p) => p.id === plan())
  const billingNote = () => {
    const p = chosen()
    return p
      ? planBillingNote(p, { billingEnabled: config()?.billing_enabled ?? false, hasSubscription: !!tenant()?.stripe_subscription_id, lightning: config()?.lightning_enabled })
      : null
  }
  /** A first paid relay opens an invoice at once: with Lightning on, the relay page shows its payment dialog. */
  const paysNow = () => !!(config()?.billing_enabled && config()?.lightning_enabled && (chosen()?.amount ?? 0) > 0 && !tenant()?.stripe_subscription_id)

  const domain = () => config()?.relay_domain ?? ''
  const subdomainError = () => {
    const s = availability.status()
    if (s.state === 'invalid' || s.state === 'unavailable') return s.message
    if (s.state === 'empty' && touched()) return 'Choose a subdomain for your relay.'
    return null
  }
  const nameError = () => lengthMessage('info_name', name(), 'The name')
  const descriptionError = () => lengthMessage('info_description', description(), 'The description')
  const canSubmit = () => availability.status().state === 'available' && !nameError() && !descriptionError()

  const submit = async (e: Event) => {
    e.preventDefault()
    setTouched(true)
    if (!canSubmit()) return
    setBusy(true)
    setError(null)
    try {
      const relay = await api.createRelay({
        subdomain: subdomain(),
        plan: plan(),
        ...(name().trim() ? { info_name: name().trim() } : {}),
        ...(description().trim() ? { info_description: description().trim() } : {}),
      })
      navigate(paysNow() ? `/relays/${relay.id}?pay=1` : `/relays/${relay.id}`)
    } catch (err) {
      // A subdomain taken between the check and the click: show it beside the field.
      if (err instanceof ApiError && err.code.startsWith('subdomain')) availability.check(subdomain())
      setError(errorText(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <>
      <PageTitle>New relay</PageTitle>
      <form class="space-y-5 rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6" onSubmit={submit} novalidate>
        <Field
          id="subdomain"
          label="Subdomain"
          error={subdomainError()}
          hint="3–63 characters: lowercase letters, digits and single hyphens, starting with a letter."
        >
          <div class="flex flex-wrap items-center gap-2">
            <input
              id="subdomain"
              class={`${inputClass} max-w-xs`}
              autocomplete="off"
              spellcheck={false}
              autocapitalize="none"
              maxLength={63}
              value={subdomain()}
              aria-invalid={subdomainError() ? 'true' : 'false'}
              aria-describedby={subdomainError() ? 'subdomain-error subdomain-status' : 'subdomain-hint subdomain-status'}
              onInput={(e) => {
                const value = normaliseSubdomain(e.currentTarget.value)
                setSubdomain(value)
                availability.check(value)
              }}
              onBlur={() => setTouched(true)}
            />
            <span class="text-sm text-slate-600">.{domain()}</span>
          </div>
          <p id="subdomain-status" aria-live="polite" class="text-sm" data-testid="availability">
            <Switch>
              <Match when={availability.status().state === 'checking'}>
                <Spinner label="Checking availability…" />
              </Match>
              <Match when={availability.status().state === 'available'}>
                <span class="font-medium text-emerald-700">✓ {subdomain()}.{domain()} is available</span>
              </Match>
              <Match when={availability.status().state === 'unknown'}>
                <span class="text-amber-800">{(availability.status() as { message: string }).message}</span>
              </Match>
            </Switch>
          </p>
        </Field>
        <Field id="info-name" label="Name (optional)" error={nameError()} hint="Shown to people who connect to the relay.">
          <input id="info-name" class={inputClass} maxLength={LIMITS.info_name + 1} value={name()} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field id="info-description" label="Description (optional)" error={descriptionError()}>
          <textarea
            id="info-description"
            rows={3}
            class={inputClass}
            value={description()}
            onInput={(e) => setDescription(e.currentTarget.value)}
          />
        </Field>
        <PlanPicker name="plan" plans={plans()} value={plan()} billingEnabled={config()?.billing_enabled ?? false} onChange={setPlan} />
        <Show when={billingNote()}>
          <Alert tone="info" testid="billing-note">
            {billingNote()}
          </Alert>
        </Show>
        <Show when={error()}>
          <Alert testid="create-error">{error()}</Alert>
        </Show>
        <div class="flex flex-wrap items-center gap-3">
          <Button type="submit" busy={busy()} disabled={availability.status().state !== 'empty' && !canSubmit()}>
            Create relay
          </Button>
          <Link href="/relays" class="text-sm font-medium text-slate-700 hover:underline">
            Cancel
          </Link>
        </div>
      </form>
    </>
  )
}
