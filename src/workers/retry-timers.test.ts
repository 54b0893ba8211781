import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../test/helpers/clock.js'
import { RetryTimers } from './retry-timers.js'

describe('RetryTimers', () => {
  it('keeps one pending retry per key, replaced when rescheduled and gone once fired or cancelled', () => {
    const clock = new ManualClock()
    const timers = new RetryTimers(clock)
    const fired: string[] = []
    timers.schedule('a', 1000, () => fired.push('a1'))
    timers.schedule('a', 3000, () => fired.push('a2'))
    timers.schedule('b', 2000, () => fired.push('b'))
    timers.schedule('c', 500, () => fired.push('c'))
    timers.cancel('c')
    expect(timers.keys.sort()).toEqual(['a', 'b'])
    clock.advance(2500)
    expect(fired).toEqual(['b'])
    expect(timers.has('b')).toBe(false)
    clock.advance(1000)
    expect(fired).toEqual(['b', 'a2'])
    timers.schedule('d', 10, () => fired.push('d'))
    timers.clear()
    clock.advance(100)
    expect(fired).toEqual(['b', 'a2'])
    expect(clock.pending()).toEqual([])
  })
})
