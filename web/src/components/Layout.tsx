import { createSignal, Show, type JSX } from 'solid-js'
import { errorText } from '../lib/errors'
import { shortNpub } from '../lib/format'
import { navigate, path } from '../lib/router'
import { config, identity, profile, signOut } from '../lib/session'
import { Alert } from './Alert'
import { Link } from './Link'

function NavLink(props: { href: string; children: JSX.Element }) {
  const current = () => path() === props.href || path().startsWith(`${props.href}/`)
  return (
    <Link
      href={props.href}
      aria-current={current() ? 'page' : undefined}
      class="rounded-md px-2 py-1 text-sm font-medium text-slate-700 hover:bg-slate-100 aria-[current=page]:bg-indigo-50 aria-[current=page]:text-indigo-800"
    >
      {props.children}
    </Link>
  )
}

/** The signed-in person: picture and name from their Nostr profile when it could be fetched, else a short npub. */
function Who() {
  const [broken, setBroken] = createSignal(false)
  const me = () => identity()!
  return (
    <span class="flex min-w-0 items-center gap-2" data-testid="who">
      <Show
        when={profile().picture && !broken()}
        fallback={<span class="size-7 shrink-0 rounded-full bg-indigo-100" aria-hidden="true" />}
      >
        <img src={profile().picture} alt="" class="size-7 shrink-0 rounded-full object-cover" onError={() => setBroken(true)} data-testid="avatar" />
      </Show>
      <span class="truncate text-sm font-medium" title={me().pubkey} data-testid="who-name">
        {profile().name ?? shortNpub(me().pubkey)}
      </span>
      <Show when={me().is_admin}>
        <span class="rounded bg-slate-800 px-1.5 py-0.5 text-[10px] font-semibold uppercase text-white">admin</span>
      </Show>
    </span>
  )
}

export function Layout(props: { children: JSX.Element }) {
  const [error, setError] = createSignal<string | null>(null)
  return (
    <div class="min-h-screen">
      <a href="#main" class="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:px-3 focus:py-2">
        Skip to content
      </a>
      <header class="border-b border-slate-200 bg-white">
        <div class="mx-auto flex max-w-5xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3">
          <Link href="/" class="flex items-center gap-2 text-base font-bold text-slate-900">
            <span class="size-5 rounded-full bg-indigo-600" aria-hidden="true" />
            Caravel
          </Link>
          <Show when={identity()}>
            <nav aria-label="Main" class="flex flex-wrap items-center gap-1">
              <NavLink href="/relays">My relays</NavLink>
              <Show when={config()?.billing_enabled}>
                <NavLink href="/account">Account</NavLink>
              </Show>
              <Show when={identity()!.is_admin}>
                <NavLink href="/admin/tenants">Tenants</NavLink>
                <NavLink href="/admin/relays">All relays</NavLink>
              </Show>
            </nav>
            <div class="ml-auto flex min-w-0 items-center gap-3">
              <Who />
              <button
                type="button"
                class="rounded-md px-2 py-1 text-sm font-medium text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50"
                onClick={async () => {
                  setError(null)
                  try {
                    await signOut()
                    navigate('/', { replace: true })
                  } catch (err) {
                    setError(errorText(err))
                  }
                }}
              >
                Sign out
              </button>
            </div>
          </Show>
        </div>
      </header>
      <main id="main" class="mx-auto max-w-5xl space-y-4 px-4 py-6">
        <Show when={error()}>
          <Alert>{error()}</Alert>
        </Show>
        {props.children}
      </main>
    </div>
  )
}

export function PageTitle(props: { children: JSX.Element; actions?: JSX.Element }) {
  return (
    <div class="flex flex-wrap items-center justify-between gap-3">
      <h1 class="min-w-0 break-words text-2xl font-bold tracking-tight">{props.children}</h1>
      {props.actions}
    </div>
  )
}
