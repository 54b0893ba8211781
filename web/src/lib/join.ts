// Joining a relay with an invite code, from the browser (NIP-43): open the relay's WebSocket, answer its NIP-42
// AUTH challenge, send a kind 28934 join request carrying the code, and read the relay's OK in words. Also the
// relay's NIP-11 document (name, icon, description) for the invite page.
import type { EventTemplate, NostrEvent } from 'nostr-tools/pure'
import type { Signer } from './nip98'

export const JOIN_REQUEST_KIND = 28934
export const AUTH_KIND = 22242

export interface RelayInfo {
  name?: string
  description?: string
  icon?: string
}

/** ws(s)://host → http(s)://host, where the relay serves NIP-11. Null for anything that is not a ws(s) URL. */
export function relayHttpUrl(wsUrl: string): string | null {
  let u: URL
  try {
    u = new URL(wsUrl)
  } catch {
    return null
  }
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') return null
  u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:'
  return u.toString()
}

export async function fetchRelayInfo(wsUrl: string, signal?: AbortSignal): Promise<RelayInfo> {
  const http = relayHttpUrl(wsUrl)
  if (!http) throw new Error('This invite link does not name a relay address (wss://…).')
  const res = await fetch(http, { headers: { accept: 'application/nostr+json' }, signal })
  if (!res.ok) throw new Error(`The relay answered HTTP ${res.status}.`)
  const raw = (await res.json()) as Record<string, unknown>
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined)
  const icon = text(raw.icon)
  return { name: text(raw.name), description: text(raw.description), icon: icon && /^https?:\/\//.test(icon) ? icon : undefined }
}

export type JoinResult = 'joined' | 'already-member' | 'invalid-code' | 'relay-full' | 'refused'

export interface JoinOutcome {
  result: JoinResult
  /** What happened, in words. */
  words: string
  /** The relay's own message. */
  message: string
}

/** A relay's answer to a join request (NIP-43: `info:`/`duplicate:` on success, a reason on failure) in words. */
export function joinOutcome(ok: boolean, message: string): JoinOutcome {
  const m = message.toLowerCase()
  if (ok && m.startsWith('duplicate:')) return { result: 'already-member', words: 'You are already a member of this relay.', message }
  if (ok) return { result: 'joined', words: 'You joined the relay. Welcome!', message }
  if (/\b(full|limit)\b/.test(m)) {
    return { result: 'relay-full', words: 'This relay is full: its plan allows no more members. Ask the person who invited you.', message }
  }
  if (/invite|claim|code/.test(m)) {
    return {
      result: 'invalid-code',
      words: 'This invite code is not valid: it may be mistyped, used up, expired or revoked. Ask for a new invite.',
      message,
    }
  }
  const why = message.replace(/^[a-z-]+:\s*/i, '').trim()
  return { result: 'refused', words: `The relay refused the join request${why ? `: ${why}` : ''}.`, message }
}

export interface JoinOptions {
  /** The WebSocket implementation (the browser's by default). */
  WebSocket?: typeof WebSocket
  /** Gives up when the relay has not answered by then. */
  timeoutMs?: number
}

type Incoming = [string, ...unknown[]]

/** Connects, authenticates when asked, sends the join request, and resolves with the relay's answer. */
export function joinRelay(url: string, code: string, signer: Signer, options: JoinOptions = {}): Promise<JoinOutcome> {
  const Socket = options.WebSocket ?? WebSocket
  return new Promise((resolve, reject) => {
    let ws: WebSocket
    try {
      ws = new Socket(url)
    } catch {
      reject(new Error('This invite link does not name a relay address (wss://…).'))
      return
    }
    let settled = false
    let authId: string | null = null
    let joinId: string | null = null
    const finish = (fn: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      fn()
      // Let the last frame go out before closing (closing at once makes browsers log a warning).
      setTimeout(() => ws.close(), 0)
    }
    const fail = (message: string) => finish(() => reject(new Error(message)))
    const timer = setTimeout(() => fail('The relay did not answer. Check the invite link, or try again later.'), options.timeoutMs ?? 20_000)

    const sign = async (template: EventTemplate): Promise<NostrEvent> => {
      try {
        return await signer.signEvent(template)
      } catch (err) {
        throw new Error(`Your signer did not sign: ${(err as Error).message || 'refused'}`)
      }
    }
    const sendJoin = async () => {
      const event = await sign({
        kind: JOIN_REQUEST_KIND,
        created_at: Math.floor(Date.now() / 1000),
        tags: [['-'], ['claim', code]],
        content: '',
      })
      joinId = event.id
      ws.send(JSON.stringify(['EVENT', event]))
    }
    const answerAuth = async (challenge: string) => {
      const event = await sign({
        kind: AUTH_KIND,
        created_at: Math.floor(Date.now() / 1000),
        tags: [
          ['relay', url],
          ['challenge', challenge],
        ],
        content: '',
      })
      authId = event.id
      ws.send(JSON.stringify(['AUTH', event]))
    }
    const guard = (p: Promise<void>) => p.catch((err: Error) => fail(err.message))

    ws.onerror = () => fail('Cannot connect to the relay. Check the invite link, or try again later.')
    ws.onclose = () => fail('The relay closed the connection before answering.')
    ws.onmessage = (e: MessageEvent) => {
      let msg: Incoming
      try {
        msg = JSON.parse(String(e.data)) as Incoming
      } catch {
        return
      }
      if (!Array.isArray(msg)) return
      if (msg[0] === 'AUTH' && typeof msg[1] === 'string' && authId === null) {
        guard(answerAuth(msg[1]))
      } else if (msg[0] === 'OK' && msg[1] === authId && joinId === null) {
        if (msg[2] === true) guard(sendJoin())
        else fail(`The relay did not accept your sign-in: ${String(msg[3] ?? '')}`)
      } else if (msg[0] === 'OK' && msg[1] === joinId && joinId !== null) {
        const outcome = joinOutcome(msg[2] === true, String(msg[3] ?? ''))
        finish(() => resolve(outcome))
      }
    }
  })
}
