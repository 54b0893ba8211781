import { describe, expect, it } from 'vitest'
import { route } from './management-api.js'

describe('management API routing', () => {
  it('routes relay and members paths, with 400/404/405 errors', () => {
    expect(route('PATCH', '/relay/abc')).toEqual({ kind: 'relay', id: 'abc', method: 'PATCH' })
    expect(route('GET', '/relay/abc/members')).toEqual({ kind: 'members', id: 'abc' })
    expect(() => route('GET', '/relay/abc')).toThrow('method not allowed')
    expect(() => route('DELETE', '/relay/abc/members')).toThrow('method not allowed')
    expect(() => route('GET', '/relay/')).toThrow('relay id is required')
    expect(() => route('GET', '/relay/a/b')).toThrow('not found')
    expect(() => route('GET', '/')).toThrow('not found')
  })
})
