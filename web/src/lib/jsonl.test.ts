import { describe, expect, it } from 'vitest'
import { jsonlChunks, type JsonlChunk } from './jsonl'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

async function chunksOf(text: string, maxBytes: number): Promise<JsonlChunk[]> {
  const bytes = encoder.encode(text)
  const reads: [number, number][] = []
  const out: JsonlChunk[] = []
  for await (const c of jsonlChunks(bytes.length, async (s, e) => (reads.push([s, e]), bytes.slice(s, e)), maxBytes)) out.push(c)
  // Never asks for more than one chunk's worth at a time.
  for (const [s, e] of reads) expect(e - s).toBeLessThanOrEqual(maxBytes)
  // The chunks put back together are the file, byte for byte.
  expect(out.map((c) => decoder.decode(c.bytes)).join('')).toBe(text)
  return out
}

/** For each chunk: its first line number and its lines as text. */
const shape = (chunks: JsonlChunk[]) => chunks.map((c) => [c.firstLine, decoder.decode(c.bytes)])

describe('jsonlChunks', () => {
  it('cuts at line boundaries and numbers the first line of each chunk across boundaries', async () => {
    const lines = Array.from({ length: 10 }, (_, i) => `{"n":${i + 1}}`) // 8 or 9 bytes each, plus \n
    const chunks = await chunksOf(lines.map((l) => `${l}\n`).join(''), 25)
    expect(shape(chunks)).toEqual([
      [1, '{"n":1}\n{"n":2}\n{"n":3}\n'],
      [4, '{"n":4}\n{"n":5}\n{"n":6}\n'],
      [7, '{"n":7}\n{"n":8}\n{"n":9}\n'],
      [10, '{"n":10}\n'],
    ])
    for (const c of chunks) expect(c.bytes.length).toBeLessThanOrEqual(25)
    expect(chunks.map((c) => c.end)).toEqual([24, 48, 72, 81])
  })

  it('keeps CRLF line ends with their line and counts them as one line each', async () => {
    const chunks = await chunksOf('{"a":1}\r\n{"b":2}\r\n{"c":3}\r\n', 20)
    expect(shape(chunks)).toEqual([
      [1, '{"a":1}\r\n{"b":2}\r\n'],
      [3, '{"c":3}\r\n'],
    ])
  })

  it('sends a final line without a newline', async () => {
    const chunks = await chunksOf('{"a":1}\n{"b":2}\n{"c":3}', 17)
    expect(shape(chunks)).toEqual([
      [1, '{"a":1}\n{"b":2}\n'],
      [3, '{"c":3}'],
    ])
  })

  it('sends a line longer than the chunk size alone, and numbers the lines after it right', async () => {
    const long = `{"content":"${'x'.repeat(50)}"}`
    const chunks = await chunksOf(`{"a":1}\n${long}\n{"b":2}\n{"c":3}\n`, 20)
    expect(shape(chunks)).toEqual([
      [1, '{"a":1}\n'],
      [2, `${long}\n`],
      [3, '{"b":2}\n{"c":3}\n'],
    ])
  })

  it('sends a long last line without a newline alone', async () => {
    const long = 'y'.repeat(45)
    expect(shape(await chunksOf(`{"a":1}\n${long}`, 20))).toEqual([
      [1, '{"a":1}\n'],
      [2, long],
    ])
  })

  it('counts empty lines, so numbers stay those of the file', async () => {
    expect(shape(await chunksOf('{"a":1}\n\n\n{"b":2}\n{"c":3}\n', 12))).toEqual([
      [1, '{"a":1}\n\n\n'],
      [4, '{"b":2}\n'],
      [5, '{"c":3}\n'],
    ])
  })

  it('yields nothing for an empty file', async () => {
    expect(await chunksOf('', 10)).toEqual([])
  })
})
