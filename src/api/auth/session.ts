// Dashboard sessions: one NIP-98 request opens a session; afterwards an HttpOnly cookie authenticates.
// The database keeps only the sha256 of the token.
import { hash, randomBytes } from 'node:crypto'

export const SESSION_COOKIE = 'caravel_session'

export function newSessionToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url')
  return { token, hash: hashSessionToken(token) }
}

export function hashSessionToken(token: string): string {
  return hash('sha256', token, 'hex')
}

export function sessionCookie(token: string, maxAge: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAge}${secure ? '; Secure' : ''}`
}

export function clearSessionCookie(secure: boolean): string {
  return sessionCookie('', 0, secure)
}

/** Reads our cookie from a Cookie header without parsing the others. */
export function readSessionCookie(header: string | undefined): string | undefined {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim()
      return value || undefined
    }
  }
  return undefined
}
