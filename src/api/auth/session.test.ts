import { describe, expect, it } from 'vitest'
import { hashSessionToken, newSessionToken, readSessionCookie, sessionCookie } from './session.js'

describe('session tokens and cookies', () => {
  it('makes 256-bit tokens and stores only their hash', () => {
    const { token, hash } = newSessionToken()
    expect(Buffer.from(token, 'base64url')).toHaveLength(32)
    expect(hash).toBe(hashSessionToken(token))
    expect(hash).not.toContain(token)
    expect(newSessionToken().token).not.toBe(token)
  })
  it('builds the cookie without a Domain, Secure only over https', () => {
    expect(sessionCookie('t', 60, false)).toBe('caravel_session=t; HttpOnly; SameSite=Strict; Path=/; Max-Age=60')
    expect(sessionCookie('t', 60, true)).toContain('; Secure')
  })
  it('reads our cookie among others', () => {
    expect(readSessionCookie('a=1; caravel_session=tok; b=2')).toBe('tok')
    expect(readSessionCookie('a=1')).toBeUndefined()
    expect(readSessionCookie('caravel_session=')).toBeUndefined()
  })
})
