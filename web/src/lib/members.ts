// Members as the dashboard presents them: a name to show, their role, and how they came to be a member.
import type { Member, MemberRole } from './api'
import type { Tone } from './relay'
import { formatDate, shortNpub } from './format'

export const ROLE_LABELS: Record<MemberRole, { label: string; tone: Tone; help: string }> = {
  owner: { label: 'Owner', tone: 'indigo', help: 'The relay’s owner.' },
  relay: { label: 'Relay', tone: 'slate', help: 'The relay’s own key, which signs its member lists.' },
  operator: { label: 'Operator', tone: 'slate', help: 'An operator of this deployment.' },
  member: { label: 'Member', tone: 'green', help: 'A member of the relay.' },
}

/** The name a person goes by, else a short npub. */
export function displayName(person: { pubkey: string; name: string | null }): string {
  return person.name?.trim() || shortNpub(person.pubkey)
}

/** Why someone is on the list: how a member came in, or what a configured key is. */
export function memberNote(m: Pick<Member, 'role' | 'via' | 'code' | 'joined_at'>): string {
  return m.role === 'member' ? joinedText(m) : `${ROLE_LABELS[m.role].help} Part of the relay’s setup.`
}

/** How the member came in: `Joined with invite ABCD1234 on 1 May 2026`, `Joined freely`, `Added by the owner`. */
export function joinedText(m: Pick<Member, 'via' | 'code' | 'joined_at'>): string {
  const when = m.joined_at ? ` on ${formatDate(m.joined_at)}` : ''
  switch (m.via) {
    case 'invite':
    case 'claim':
      return m.code ? `Joined with invite ${m.code}${when}` : `Joined with an invite${when}`
    case 'public':
      return `Joined freely (public join)${when}`
    case 'api':
      return `Added from the dashboard${when}`
    default:
      return m.joined_at ? `Member since ${formatDate(m.joined_at)}` : 'Added'
  }
}

/** Only plain members can be removed; the owner, the relay and operators are part of its configuration. */
export function removable(m: Pick<Member, 'role'>): boolean {
  return m.role === 'member'
}
