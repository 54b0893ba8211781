import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { bodyLines, writeLines } from './transfer.js'

/** Lines of 1 KiB, counting how many were taken. */
function source(total: number): { lines: Iterator<string>; taken: () => number } {
  let taken = 0
  const lines = (function* () {
    for (let i = 0; i < total; i++) {
      taken++
      yield `${String(i).padStart(8, '0')}${'x'.repeat(1016)}`
    }
  })()
  return { lines, taken: () => taken }
}

/** A sink that accepts writes but completes none until `release` (a client that stops reading). */
function stalledSink(): { out: Writable; chunks: string[]; release: () => void } {
  const chunks: string[] = []
  const held: (() => void)[] = []
  let flowing = false
  const out = new Writable({
    highWaterMark: 16 * 1024,
    decodeStrings: false,
    write(chunk: string, _enc, done) {
      chunks.push(chunk)
      if (flowing) done()
      else held.push(done)
    },
  })
  return {
    out,
    chunks,
    release: () => {
      flowing = true
      for (const done of held.splice(0)) done()
    },
  }
}

const settled = async (p: Promise<unknown>) => {
  let done = false
  void p.then(() => (done = true))
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r))
  return done
}

describe('writeLines', () => {
  it('stops reading the cursor while the sink is full and goes on at drain', async () => {
    const { lines, taken } = source(1000)
    const sink = stalledSink()
    const run = writeLines(lines, sink.out)
    expect(await settled(run)).toBe(false)
    // One chunk of about 64 KiB was read and written, then nothing more while nothing drains.
    expect(taken()).toBeLessThanOrEqual(65)
    expect(sink.chunks).toHaveLength(1)
    sink.release()
    expect(await run).toEqual({ lines: 1000, complete: true })
    const text = sink.chunks.join('')
    expect(text.split('\n')).toHaveLength(1001)
    expect(text.endsWith('\n')).toBe(true)
    expect(text.split('\n')[999]!.slice(0, 8)).toBe('00000999')
  })

  it('stops when the sink closes (client gone) and reads no further', async () => {
    const { lines, taken } = source(1000)
    const sink = stalledSink()
    const run = writeLines(lines, sink.out)
    expect(await settled(run)).toBe(false)
    sink.out.destroy()
    const result = await run
    expect(result.complete).toBe(false)
    expect(taken()).toBeLessThanOrEqual(65)
  })

  it('writes an empty cursor as nothing', async () => {
    const sink = stalledSink()
    sink.release()
    expect(await writeLines([][Symbol.iterator](), sink.out)).toEqual({ lines: 0, complete: true })
    expect(sink.chunks).toEqual([])
  })
})

describe('bodyLines', () => {
  it('splits on LF and keeps CR for the importer to trim', async () => {
    const out: string[] = []
    for await (const line of bodyLines(Buffer.from('a\r\nb\n\nc'), 2)) out.push(line)
    expect(out).toEqual(['a\r', 'b', '', 'c'])
  })
})
