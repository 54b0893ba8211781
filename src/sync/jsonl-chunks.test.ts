import { describe, expect, it } from 'vitest'
import { LineTooLongError, streamChunks } from './jsonl-chunks.js'

async function* pieces(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text)
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size)
}

async function collect(text: string, pieceSize: number, maxBytes: number) {
  const out = []
  for await (const c of streamChunks(pieces(text, pieceSize), maxBytes)) out.push({ firstLine: c.firstLine, lines: c.lines, text: c.bytes.toString('utf8') })
  return out
}

describe('streamChunks', () => {
  it('cuts at line ends within the limit, numbering each chunk by its first line, whatever the piece sizes', async () => {
    const lines = Array.from({ length: 40 }, (_, i) => `{"n":${i},"pad":"${'x'.repeat(i % 7)}"}`)
    const text = `${lines.join('\n')}\n`
    for (const pieceSize of [1, 3, 17, 1000]) {
      const chunks = await collect(text, pieceSize, 64)
      expect(chunks.map((c) => c.text).join('')).toBe(text)
      for (const c of chunks) {
        expect(Buffer.byteLength(c.text)).toBeLessThanOrEqual(64)
        expect(c.text.endsWith('\n')).toBe(true)
        expect(c.text.split('\n')[0]).toBe(lines[c.firstLine - 1])
        expect(c.lines).toBe(c.text.split('\n').length - 1)
      }
      expect(chunks.reduce((n, c) => n + c.lines, 0)).toBe(40)
    }
  })

  it('keeps a last line without its newline, and yields nothing for an empty stream', async () => {
    expect(await collect('a\nbb\nccc', 2, 5)).toEqual([
      { firstLine: 1, lines: 2, text: 'a\nbb\n' },
      { firstLine: 3, lines: 1, text: 'ccc' },
    ])
    expect(await collect('', 4, 5)).toEqual([])
  })

  it('a line that cannot fit in one chunk is an error naming it', async () => {
    await expect(collect('ok\nthis line is too long\n', 4, 8)).rejects.toEqual(new LineTooLongError(2, 8))
  })
})
