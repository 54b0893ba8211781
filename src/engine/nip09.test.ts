import { expect, it } from 'vitest'
import { parseAddress } from './nip09.js'

it('parses kind:pubkey:d addresses, d may contain colons or be empty', () => {
  const pk = 'a'.repeat(64)
  expect(parseAddress(`30023:${pk}:x:y`)).toEqual({ kind: 30023, pubkey: pk, d: 'x:y' })
  expect(parseAddress(`0:${pk}:`)).toEqual({ kind: 0, pubkey: pk, d: '' })
  expect(parseAddress('30023:nothex:x')).toBeUndefined()
})
