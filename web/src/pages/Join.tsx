import { createResource, createSignal, Match, Show, Switch } from 'solid-js'
import { Alert } from '../components/Alert'
import { Button } from '../components/Button'
import { RelayUrl } from '../components/CopyButton'
import { PageTitle } from '../components/Layout'
import { Spinner } from '../components/Spinner'
import { errorText } from '../lib/errors'
import { fetchRelayInfo, joinRelay, relayHttpUrl, type JoinOutcome } from '../lib/join'
import { queryParam } from '../lib/router'
import { extensionSigner, hasExtension } from '../lib/signers'

/** Where a member goes next: a community client that understands relay invites. */
export function clientJoinLink(relay: string, code: string): string {
  return `https://app.flotilla.social/join?r=${encodeURIComponent(relay)}&c=${encodeURIComponent(code)}`
}

/** The public page an invite link opens: the relay's NIP-11 card and a button that joins with a NIP-07 signer. */
export function JoinPage() {
  const relay = () => queryParam('r')?.trim() ?? ''
  const code = () => queryParam('c')?.trim() ?? ''
  const valid = () => relayHttpUrl(relay()) !== null && code() !== ''
  const [info] = createResource(() => (valid() ? relay() : false), (url) => fetchRelayInfo(url))
  const [busy, setBusy] = createSignal(false)
  const [error, setError] = createSignal<string | null>(null)
  const [outcome, setOutcome] = createSignal<JoinOutcome | null>(null)
  const name = () => info()?.name ?? relay().replace(/^wss?:\/\//, '')
  const welcome = () => outcome()?.result === 'joined' || outcome()?.result === 'already-member'

  const join = async () => {
    setError(null)
    setOutcome(null)
    setBusy(true)
    try {
      setOutcome(await joinRelay(relay(), code(), extensionSigner()))
    } catch (err) {
      setError(errorText(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <div class="mx-auto max-w-xl space-y-5">
      <Show when={valid()} fallback={<InvalidLink />}>
        <div class="flex items-center gap-4">
          <Show when={info()?.icon}>
            <img src={info()!.icon} alt="" class="size-16 shrink-0 rounded-xl object-cover" data-testid="join-icon" />
          </Show>
          <div class="min-w-0">
            <p class="text-sm text-slate-600">You are invited to join</p>
            <PageTitle>{name()}</PageTitle>
          </div>
        </div>
        <Show when={info.loading}>
          <Spinner label="Asking the relay about itself…" />
        </Show>
        <Show when={info.error}>
          <Alert tone="warning">The relay did not describe itself ({errorText(info.error)}). You can still try to join.</Alert>
        </Show>
        <Show when={info()?.description}>
          <p class="whitespace-pre-line break-words text-slate-700" data-testid="join-description">
            {info()!.description}
          </p>
        </Show>
        <div class="space-y-1 text-sm">
          <p>
            Relay: <RelayUrl url={relay()} />
          </p>
          <p>
            Invite code: <code class="rounded bg-slate-100 px-1.5 py-0.5 font-mono font-semibold">{code()}</code>
          </p>
        </div>
        <Show when={!welcome()}>
          <div class="space-y-2 rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
            <p class="text-sm text-slate-700">
              Joining signs two small messages with your Nostr key: one to identify you to the relay, one to ask to join with this code. Nothing is
              posted.
            </p>
            <Show when={!hasExtension()}>
              <Alert tone="info">
                This needs a Nostr signer extension in this browser (such as Alby or nos2x). Without one, open the relay in a Nostr client below and enter
                the code there.
              </Alert>
            </Show>
            <Button busy={busy()} disabled={!hasExtension()} onClick={join}>
              Join with your Nostr signer
            </Button>
          </div>
        </Show>
        <Show when={error()}>
          <Alert testid="join-error">{error()}</Alert>
        </Show>
        <Show when={outcome()}>
          {(o) => (
            <Switch>
              <Match when={welcome()}>
                <Alert tone="success" testid="join-result">
                  <span data-result={o().result}>{o().words}</span>
                </Alert>
              </Match>
              <Match when={!welcome()}>
                <Alert testid="join-result">
                  <span data-result={o().result}>{o().words}</span>
                  <Show when={o().message}>
                    <span class="mt-1 block text-xs">The relay said: “{o().message}”</span>
                  </Show>
                </Alert>
              </Match>
            </Switch>
          )}
        </Show>
        <div class="space-y-1 text-sm text-slate-700">
          <p class="font-medium">{welcome() ? 'Now open the relay in a Nostr client:' : 'Or join from a Nostr client:'}</p>
          <a href={clientJoinLink(relay(), code())} class="font-semibold text-indigo-700 hover:underline" target="_blank" rel="noopener noreferrer">
            Open in Flotilla
          </a>
          <p class="text-slate-600">Any client that supports relay communities works: add the relay address above.</p>
        </div>
      </Show>
    </div>
  )
}

function InvalidLink() {
  return (
    <div class="space-y-2">
      <PageTitle>Invite link incomplete</PageTitle>
      <Alert>This invite link is missing the relay address or the code. Ask the person who invited you for the full link.</Alert>
    </div>
  )
}
