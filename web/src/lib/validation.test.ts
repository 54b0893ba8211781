import { describe, expect, it } from 'vitest'
import { iconUrlMessage, lengthMessage, normaliseSubdomain, subdomainMessage } from './validation'

describe('subdomain messages', () => {
  it('accepts well-formed subdomains', () => {
    for (const ok of ['abc', 'my-club', 'club42', 'a'.repeat(63)]) expect(subdomainMessage(ok)).toBeNull()
  })

  it('explains each rule in words', () => {
    expect(subdomainMessage('')).toBe('Choose a subdomain for your relay.')
    expect(subdomainMessage('ab')).toBe('Subdomain must be 3 to 63 characters long.')
    expect(subdomainMessage('a'.repeat(64))).toBe('Subdomain must be 3 to 63 characters long.')
    expect(subdomainMessage('My-Club')).toBe('Subdomain may only contain lowercase letters, digits and hyphens.')
    expect(subdomainMessage('my.club')).toBe('Subdomain may only contain lowercase letters, digits and hyphens.')
    expect(subdomainMessage('-club')).toBe('Subdomain must start with a letter.')
    expect(subdomainMessage('1club')).toBe('Subdomain must start with a letter.')
    expect(subdomainMessage('club-')).toBe('Subdomain must not end with a hyphen.')
    expect(subdomainMessage('my--club')).toBe('Subdomain must not contain two hyphens in a row.')
    expect(subdomainMessage('admin')).toBe('"admin" is reserved. Choose another subdomain.')
  })

  it('lowercases and trims what is typed', () => {
    expect(normaliseSubdomain('  My-Club ')).toBe('my-club')
  })
})

describe('relay information', () => {
  it('wants an http(s) icon address or nothing', () => {
    expect(iconUrlMessage('')).toBeNull()
    expect(iconUrlMessage('https://example.com/i.png')).toBeNull()
    expect(iconUrlMessage('http://example.com/i.png')).toBeNull()
    expect(iconUrlMessage('ftp://example.com/i.png')).toBe('Enter a web address starting with http:// or https://.')
    expect(iconUrlMessage('not a url')).toBe('Enter a web address starting with http:// or https://.')
  })

  it('enforces the API length limits', () => {
    expect(lengthMessage('info_name', 'x'.repeat(64), 'The name')).toBeNull()
    expect(lengthMessage('info_name', 'x'.repeat(65), 'The name')).toBe('The name is too long (at most 64 characters).')
  })
})
