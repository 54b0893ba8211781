import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BtcPriceSource, centsToMsats } from './btc-price.js'

let answer: () => [number, string] = () => [200, '{"data":{"amount":"50000.00","currency":"USD"}}']
let calls = 0
const server = http.createServer((_req, res) => {
  calls++
  const [status, body] = answer()
  if (status === 0) return // never answers
  res.writeHead(status, { 'content-type': 'application/json' }).end(body)
})
let url: string
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/spot`
})
afterAll(() => {
  server.closeAllConnections()
  server.close()
})

describe('BTC price', () => {
  it('converts cents to whole satoshis, rounding up', () => {
    expect(centsToMsats(500, 50_000)).toBe(10_000_000) // $5 at $50k = 10,000 sats
    expect(centsToMsats(1, 65_432.1)).toBe(16_000) // 15.28 sats → 16
    expect(() => centsToMsats(0, 50_000)).toThrow(/positive/)
    expect(() => centsToMsats(1.5, 50_000)).toThrow(/positive/)
  })

  it('prefers the override, then a fresh cached answer, then the source', async () => {
    expect(await new BtcPriceSource({ overrideUsd: 42_000, url }).usd()).toBe(42_000)
    let now = 0
    const source = new BtcPriceSource({ overrideUsd: undefined, url }, { now: () => now, timeoutMs: 300 })
    calls = 0
    expect(await source.usd()).toBe(50_000)
    expect(await source.usd()).toBe(50_000)
    expect(calls).toBe(1)
    answer = () => [200, '61000.5']
    now += 6 * 60_000
    expect(await source.usd()).toBe(61_000.5)
  })

  it('falls back to a recent price when the source fails, and refuses when it has none', async () => {
    let now = 0
    answer = () => [200, '{"data":{"amount":"40000"}}']
    const source = new BtcPriceSource({ overrideUsd: undefined, url }, { now: () => now, timeoutMs: 200 })
    expect(await source.usd()).toBe(40_000)
    answer = () => [0, '']
    now += 10 * 60_000
    expect(await source.usd()).toBe(40_000)
    now += 2 * 60 * 60_000
    await expect(source.usd()).rejects.toMatchObject({ code: 'price-unavailable' })
    answer = () => [500, 'oops']
    await expect(new BtcPriceSource({ overrideUsd: undefined, url }).usd()).rejects.toMatchObject({ code: 'price-unavailable' })
  })
})
