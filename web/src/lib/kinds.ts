// Event kinds in words, and the per-relay list of kinds exempt from the access rules (gift wraps, zap receipts,
// wallet and remote-signing traffic addressed to members pass on a private relay).

const KIND_NAMES: Record<number, string> = {
  0: 'Profiles',
  1: 'Notes',
  3: 'Follow lists',
  4: 'Direct messages (old)',
  5: 'Deletions',
  6: 'Reposts',
  7: 'Reactions',
  9: 'Chat messages',
  11: 'Threads',
  1111: 'Comments',
  8000: 'Members added',
  8001: 'Members removed',
  1059: 'Gift wraps',
  9734: 'Zap requests',
  9735: 'Zap receipts',
  10002: 'Relay lists',
  13194: 'Wallet info',
  13534: 'Member lists',
  23194: 'Wallet requests',
  23195: 'Wallet responses',
  24133: 'Remote signing',
  30023: 'Articles',
  30078: 'App data',
}

/** `Notes (kind 1)`, or `Kind 31337` for a kind without a common name. */
export function kindLabel(kind: number): string {
  const name = KIND_NAMES[kind]
  return name ? `${name} (kind ${kind})` : `Kind ${kind}`
}

export interface ExemptKindSpec {
  kind: number
  label: string
  description: string
}

/** The defaults a new relay starts with, as the tenant reads them. */
export const DEFAULT_EXEMPT_KINDS: ExemptKindSpec[] = [
  { kind: 1059, label: 'Gift wraps', description: 'Private messages (NIP-17) sent to a member.' },
  { kind: 9735, label: 'Zap receipts', description: 'Proof that a member was zapped.' },
  { kind: 13194, label: 'Wallet info', description: 'Nostr Wallet Connect: what a member’s wallet can do.' },
  { kind: 23194, label: 'Wallet requests', description: 'Nostr Wallet Connect: payment requests to a member’s wallet.' },
  { kind: 23195, label: 'Wallet responses', description: 'Nostr Wallet Connect: the wallet’s answers.' },
  { kind: 24133, label: 'Remote signing', description: 'NIP-46: a member’s signer app talking to their client.' },
]

export const MAX_EXEMPT_KINDS = 64

/** Custom kinds typed as `1, 7 30023`: the numbers, or the reason they cannot be used. */
export function parseKinds(text: string): { kinds: number[] } | { error: string } {
  const parts = text.split(/[\s,]+/).filter((p) => p !== '')
  const kinds: number[] = []
  for (const p of parts) {
    if (!/^\d+$/.test(p) || Number(p) > 65535) return { error: `“${p}” is not an event kind (a whole number from 0 to 65535).` }
    if (!kinds.includes(Number(p))) kinds.push(Number(p))
  }
  return { kinds }
}

/** The list to save: the checked defaults, then the custom kinds, without repeats; or why it cannot be saved. */
export function exemptKindsToSave(checked: number[], customText: string): { kinds: number[] } | { error: string } {
  const custom = parseKinds(customText)
  if ('error' in custom) return custom
  const kinds = [...new Set([...checked, ...custom.kinds])]
  if (kinds.length > MAX_EXEMPT_KINDS) return { error: `At most ${MAX_EXEMPT_KINDS} kinds can be exempt.` }
  return { kinds }
}

/** A saved list split back into the default checkboxes and the custom text. */
export function splitExemptKinds(kinds: number[]): { checked: number[]; custom: string } {
  const defaults = new Set(DEFAULT_EXEMPT_KINDS.map((k) => k.kind))
  return { checked: kinds.filter((k) => defaults.has(k)), custom: kinds.filter((k) => !defaults.has(k)).join(', ') }
}
