import { createSignal, Match, onCleanup, Show, Switch } from 'solid-js'
import { Alert } from '../components/Alert'
import { Button } from '../components/Button'
import { CopyButton } from '../components/CopyButton'
import { inputClass } from '../components/Field'
import { QrCode } from '../components/QrCode'
import { Spinner } from '../components/Spinner'
import { TabPanel, Tabs, type TabSpec } from '../components/Tabs'
import { errorText } from '../lib/errors'
import type { Signer } from '../lib/nip98'
import { sessionNotice, signIn } from '../lib/session'
import { signerRelays } from '../lib/settings'
import { bunkerSigner, extensionSigner, hasExtension, nostrConnect, type NostrConnectSession, type RemoteSigner } from '../lib/signers'

type Method = 'extension' | 'bunker' | 'qr'

const METHODS: TabSpec<Method>[] = [
  { id: 'extension', label: 'Browser extension' },
  { id: 'bunker', label: 'Bunker URI' },
  { id: 'qr', label: 'Signer app (QR)' },
]

export function SignIn(props: { onSignedIn: () => void }) {
  const [method, setMethod] = createSignal<Method>(hasExtension() ? 'extension' : 'bunker')
  const [busy, setBusy] = createSignal<string | null>(null)
  const [error, setError] = createSignal<string | null>(null)
  const [bunkerUri, setBunkerUri] = createSignal('')
  const [connect, setConnect] = createSignal<NostrConnectSession | null>(null)

  const finish = async (signer: Signer, remote?: RemoteSigner) => {
    setBusy('Approve the sign-in request in your signer…')
    try {
      await signIn(signer)
      props.onSignedIn()
    } finally {
      remote?.close()
    }
  }

  const run = async (label: string, work: () => Promise<void>) => {
    setError(null)
    setBusy(label)
    try {
      await work()
    } catch (err) {
      setError(errorText(err))
    } finally {
      setBusy(null)
    }
  }

  const startQr = () => {
    connect()?.cancel()
    const session = nostrConnect(signerRelays())
    setConnect(session)
    session.signer.then(
      (remote) => run('Signing in…', () => finish(remote, remote)),
      (err) => {
        if (connect() === session) setError(`The signer app did not connect: ${errorText(err)}`)
      },
    )
  }
  onCleanup(() => connect()?.cancel())

  const choose = (m: Method) => {
    setMethod(m)
    setError(null)
    if (m === 'qr' && !connect()) startQr()
  }

  return (
    <div class="mx-auto max-w-lg space-y-6 pt-6">
      <div class="space-y-2">
        <h1 class="text-2xl font-bold tracking-tight">Sign in to Caravel</h1>
        <p class="text-sm text-slate-600">
          Host Nostr community relays. Sign in with your Nostr identity: your signer is asked once, and this browser keeps a session.
        </p>
      </div>
      <Show when={sessionNotice()}>
        <Alert tone="info">{sessionNotice()}</Alert>
      </Show>
      <Tabs label="How to sign in" idPrefix="signin" look="segmented" tabs={METHODS} selected={method()} onSelect={choose} />
      <div class="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
        <TabPanel idPrefix="signin" tab={method()}>
          <Switch>
            <Match when={method() === 'extension'}>
              <div class="space-y-3">
                <p class="text-sm text-slate-700">Use a NIP-07 extension such as Alby or nos2x.</p>
                <Show when={!hasExtension()}>
                  <Alert tone="warning">No Nostr extension was found in this browser. Install one, or sign in with a remote signer.</Alert>
                </Show>
                <Button
                  disabled={!hasExtension()}
                  busy={busy() !== null}
                  onClick={() => run('Waiting for your extension…', () => finish(extensionSigner()))}
                >
                  Sign in with extension
                </Button>
              </div>
            </Match>
            <Match when={method() === 'bunker'}>
              <form
                class="space-y-3"
                onSubmit={(e) => {
                  e.preventDefault()
                  void run('Connecting to your signer…', async () => {
                    const remote = await bunkerSigner(bunkerUri())
                    await finish(remote, remote)
                  })
                }}
              >
                <label for="bunker-uri" class="block text-sm font-medium">
                  Bunker URI
                </label>
                <input
                  id="bunker-uri"
                  class={inputClass}
                  placeholder="bunker://…?relay=wss://…"
                  autocomplete="off"
                  spellcheck={false}
                  value={bunkerUri()}
                  onInput={(e) => setBunkerUri(e.currentTarget.value)}
                />
                <p class="text-sm text-slate-600">Copy it from your remote signer (nsec.app, Amber, a bunker you run).</p>
                <Button type="submit" busy={busy() !== null} disabled={bunkerUri().trim() === ''}>
                  Connect
                </Button>
              </form>
            </Match>
            <Match when={method() === 'qr'}>
              <div class="space-y-3">
                <p class="text-sm text-slate-700">Scan this code with a Nostr signer app (such as Amber), then approve the connection.</p>
                <Show when={connect()}>
                  {(session) => (
                    <>
                      <QrCode text={session().uri} label="Nostr Connect QR code" />
                      <div class="flex flex-wrap items-center gap-2">
                        <input
                          aria-label="Nostr Connect link"
                          readonly
                          class={`${inputClass} font-mono text-xs`}
                          value={session().uri}
                          data-testid="nostrconnect-uri"
                        />
                        <CopyButton text={session().uri} label="Copy link" />
                      </div>
                      <Show when={!busy()}>
                        <Spinner label="Waiting for your signer app…" />
                      </Show>
                    </>
                  )}
                </Show>
                <Button variant="secondary" onClick={startQr}>
                  New code
                </Button>
              </div>
            </Match>
          </Switch>
        </TabPanel>
        <Show when={busy()}>
          <Spinner class="mt-3" label={busy()!} />
        </Show>
        <Show when={error()}>
          <Alert class="mt-3">{error()}</Alert>
        </Show>
      </div>
    </div>
  )
}
