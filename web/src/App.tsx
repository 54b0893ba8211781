import { createResource, Match, Show, Switch } from 'solid-js'
import { Alert } from './components/Alert'
import { Layout } from './components/Layout'
import { Link } from './components/Link'
import { Spinner } from './components/Spinner'
import { errorText } from './lib/errors'
import { match, navigate, path } from './lib/router'
import { boot, identity } from './lib/session'
import { AccountPage } from './pages/Account'
import { AdminRelays } from './pages/AdminRelays'
import { AdminTenant, AdminTenants } from './pages/AdminTenants'
import { JoinPage } from './pages/Join'
import { NewRelay } from './pages/NewRelay'
import { RelayList } from './pages/RelayList'
import { RelayPage } from './pages/RelayPage'
import { SignIn } from './pages/SignIn'

function NotFound() {
  return (
    <div class="space-y-2">
      <h1 class="text-2xl font-bold">Page not found</h1>
      <Link href="/relays" class="text-sm text-indigo-700 hover:underline">
        Go to your relays
      </Link>
    </div>
  )
}

function AdminOnly(props: { children: any }) {
  return (
    <Show when={identity()?.is_admin} fallback={<Alert>This page is for operators of this deployment.</Alert>}>
      {props.children}
    </Show>
  )
}

function Pages() {
  const at = (pattern: string) => match(pattern, path())
  return (
    <Switch fallback={<NotFound />}>
      <Match when={at('/') || at('/relays')}>
        <RelayList />
      </Match>
      <Match when={at('/account')}>
        <AccountPage />
      </Match>
      <Match when={at('/relays/new')}>
        <NewRelay />
      </Match>
      <Match when={at('/relays/:id')}>{(params) => <Show when={params().id} keyed>{(id) => <RelayPage id={id} />}</Show>}</Match>
      <Match when={at('/admin/tenants')}>
        <AdminOnly>
          <AdminTenants />
        </AdminOnly>
      </Match>
      <Match when={at('/admin/tenants/:pubkey')}>
        {(params) => (
          <AdminOnly>
            <Show when={params().pubkey} keyed>
              {(pubkey) => <AdminTenant pubkey={pubkey} />}
            </Show>
          </AdminOnly>
        )}
      </Match>
      <Match when={at('/admin/relays')}>
        <AdminOnly>
          <AdminRelays />
        </AdminOnly>
      </Match>
      <Match when={at('/admin/relays/:id')}>
        {(params) => (
          <AdminOnly>
            <Show when={params().id} keyed>
              {(id) => <RelayPage id={id} admin />}
            </Show>
          </AdminOnly>
        )}
      </Match>
    </Switch>
  )
}

export function App() {
  const [booted] = createResource(boot)
  return (
    <Layout>
      <Switch>
        {/* Invite links: public, no session needed. */}
        <Match when={match('/join', path())}>
          <JoinPage />
        </Match>
        <Match when={booted.error}>
          <Alert>The dashboard could not start: {errorText(booted.error)}</Alert>
        </Match>
        <Match when={booted.loading || identity() === undefined}>
          <Spinner label="Loading…" />
        </Match>
        <Match when={identity() === null}>
          <SignIn onSignedIn={() => navigate(path() === '/' ? '/relays' : path(), { replace: true })} />
        </Match>
        <Match when={identity()}>
          <Pages />
        </Match>
      </Switch>
    </Layout>
  )
}
