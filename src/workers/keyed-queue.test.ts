import { describe, expect, it } from 'vitest'
import { KeyedQueue } from './keyed-queue.js'

describe('KeyedQueue', () => {
  it('runs one job per key at a time and once more when asked during a run', async () => {
    const runs: string[] = []
    let release!: () => void
    let gate = new Promise<void>((r) => (release = r))
    const queue = new KeyedQueue(
      async (key) => {
        runs.push(key)
        await gate
      },
      () => {},
    )
    queue.request('a')
    queue.request('b')
    await new Promise((r) => setTimeout(r, 0))
    queue.request('a')
    queue.request('a')
    expect(runs).toEqual(['a', 'b'])
    const open = release
    gate = Promise.resolve()
    open()
    await queue.idle()
    expect(runs).toEqual(['a', 'b', 'a'])
  })

  it('limits concurrency and survives a crashing job', async () => {
    let active = 0
    let peak = 0
    const crashes: string[] = []
    const queue = new KeyedQueue(
      async (key) => {
        active++
        peak = Math.max(peak, active)
        await new Promise((r) => setTimeout(r, 2))
        active--
        if (key === 'k3') throw new Error('boom')
      },
      (_err, key) => crashes.push(key),
      2,
    )
    for (let i = 0; i < 6; i++) queue.request(`k${i}`)
    await queue.idle()
    expect(peak).toBe(2)
    expect(crashes).toEqual(['k3'])
    await queue.settled('k1')
  })
})
