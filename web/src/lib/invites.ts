// Invites as the dashboard presents them: whether a code still works, and the new-invite form read into the API's
// shape (an expiry date means the end of that day where the tenant is).
import type { Invite, InviteCreate } from './api'
import type { Tone } from './relay'

export function inviteState(i: Pick<Invite, 'revoked' | 'expires_at' | 'max_uses' | 'uses'>, now: number): { label: string; tone: Tone } {
  if (i.revoked) return { label: 'Revoked', tone: 'red' }
  if (i.expires_at !== null && i.expires_at <= now) return { label: 'Expired', tone: 'slate' }
  if (i.max_uses !== null && i.uses >= i.max_uses) return { label: 'Used up', tone: 'amber' }
  return { label: 'Active', tone: 'green' }
}

export function parseInviteForm(form: { label: string; maxUses: string; expires: string }, now: Date): { input: InviteCreate } | { error: string } {
  const input: InviteCreate = {}
  const label = form.label.trim()
  if (label) input.label = label
  const uses = form.maxUses.trim()
  if (uses) {
    if (!/^\d+$/.test(uses) || Number(uses) < 1) return { error: 'Max uses is a whole number of at least 1, or empty for no limit.' }
    input.max_uses = Number(uses)
  }
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(form.expires.trim())
  if (form.expires.trim() && !day) return { error: 'Choose the expiry date from the calendar, or leave it empty.' }
  if (day) {
    const end = new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3]), 23, 59, 59)
    if (end.getTime() <= now.getTime()) return { error: 'The expiry date is in the past. Choose a later day, or leave it empty.' }
    input.expires_at = Math.floor(end.getTime() / 1000)
  }
  return { input }
}
