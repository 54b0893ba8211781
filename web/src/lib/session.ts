// Who is signed in. One NIP-98 request opens an HttpOnly session cookie; everything after rides on it, so
// the signer is asked once. The cookie is invisible to scripts: GET /api/session (never a 401, so never a
// console error) says whether this browser has one.
import { createSignal } from 'solid-js'
import { api, setSignedOutHandler, type Identity, type PublicConfig, type Plan } from './api'
import { nip98Header, type Signer } from './nip98'
import { fetchProfile, type Profile } from './profile'
import { profileRelays, setConfiguredRelays } from './settings'

/** undefined while loading, null when signed out. */
const [identity, setIdentity] = createSignal<Identity | null | undefined>(undefined)
const [profile, setProfile] = createSignal<Profile>({})
const [config, setConfig] = createSignal<PublicConfig | undefined>(undefined)
const [plans, setPlans] = createSignal<Plan[]>([])
const [sessionNotice, setSessionNotice] = createSignal<string | null>(null)

export { identity, profile, config, plans, sessionNotice, setSessionNotice }

function forget(): void {
  setIdentity(null)
  setProfile({})
}

setSignedOutHandler(() => {
  if (identity()) setSessionNotice('Your session has ended. Sign in again to continue.')
  forget()
})

function loadProfile(pubkey: string): void {
  void fetchProfile(pubkey, profileRelays()).then((p) => {
    if (identity()?.pubkey === pubkey) setProfile(p)
  })
}

/** Public settings and plans, then the identity when this browser has a session. */
export async function boot(): Promise<void> {
  const [cfg, planList, session] = await Promise.all([api.config(), api.plans(), api.session()])
  setConfiguredRelays(cfg.profile_relays, cfg.signer_relays)
  setConfig(cfg)
  setPlans(planList)
  if (!session.signed_in) {
    setIdentity(null)
    return
  }
  try {
    const me = await api.identity()
    setIdentity(me)
    loadProfile(me.pubkey)
  } catch {
    forget()
  }
}

/** Opens a session with one signature from `signer`, then makes sure the caller has a tenant. */
export async function signIn(signer: Signer): Promise<Identity> {
  const authorization = await nip98Header(signer, `${location.origin}/api/session`, 'POST')
  await api.openSession(authorization)
  await api.ensureTenant()
  const me = await api.identity()
  setSessionNotice(null)
  setIdentity(me)
  loadProfile(me.pubkey)
  return me
}

export async function signOut(): Promise<void> {
  try {
    await api.closeSession()
  } finally {
    forget()
  }
}
