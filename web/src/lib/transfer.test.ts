// Export and import against a scripted API: the export's progress from the stream and X-Event-Count, the import's
// chunks with their first line numbers, the answers summed, and a chunk too large reported by its line.
import { Blob as NodeBlob } from 'node:buffer'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ImportResult } from './api'
import { addResult, emptyResult, exportEvents, filenameFrom, importEvents, type ExportProgress, type ImportProgress } from './transfer'

afterEach(() => vi.unstubAllGlobals())

/** jsdom's Blob cannot be read as bytes; Node's behaves as a browser's does. */
const fileOf = (text: string) => new NodeBlob([text]) as unknown as Blob
const readText = (blob: Blob) =>
  new Promise<string>((resolve) => {
    const reader = new FileReader()
    reader.onload = () => resolve(reader.result as string)
    reader.readAsText(blob)
  })

const decoder = new TextDecoder()

describe('exportEvents', () => {
  it('counts events and bytes as they stream in, against the announced count', async () => {
    const parts = ['{"id":"1"}\n{"id":', '"2"}\n', '{"id":"3"}']
    vi.stubGlobal('fetch', async (path: string) => {
      expect(path).toBe('/api/relays/r1/export')
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          for (const p of parts) c.enqueue(new TextEncoder().encode(p))
          c.close()
        },
      })
      return new Response(body, {
        headers: { 'content-type': 'application/x-ndjson', 'x-event-count': '3', 'content-disposition': 'attachment; filename="club-2026-05-01.jsonl"' },
      })
    })
    const seen: ExportProgress[] = []
    const file = await exportEvents('r1', (p) => seen.push(p))
    expect(seen[0]).toEqual({ events: 0, bytes: 0, total: 3 })
    expect(seen.map((p) => p.events)).toEqual([0, 1, 2, 2, 3])
    expect(seen.at(-1)).toEqual({ events: 3, bytes: parts.join('').length, total: 3 })
    expect(file.filename).toBe('club-2026-05-01.jsonl')
    expect(file.events).toBe(3)
    expect(await readText(file.blob)).toBe(parts.join(''))
  })

  it('throws the API refusal in words', async () => {
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify({ error: 'the relay is not live yet; try again in a moment', code: 'relay-not-synced' }), { status: 409 }))
    await expect(exportEvents('r1', () => {})).rejects.toThrow('The relay is not live yet. Try again in a moment.')
  })
})

describe('filenameFrom', () => {
  it('takes the server’s name, never a path, with a fallback', () => {
    expect(filenameFrom('attachment; filename="a.jsonl"', 'x')).toBe('a.jsonl')
    expect(filenameFrom('attachment; filename="../../etc/b.jsonl"', 'x')).toBe('.._.._etc_b.jsonl')
    expect(filenameFrom(null, 'x.jsonl')).toBe('x.jsonl')
  })
})

describe('importEvents', () => {
  it('posts NDJSON chunks with the number of their first line and sums the answers', async () => {
    const lines = ['{"a":1}', 'not json', '{"c":3}', '{"d":4}', '{"e":5}']
    const calls: { url: string; type: string; body: string }[] = []
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      const body = decoder.decode(init.body as Uint8Array)
      calls.push({ url, type: (init.headers as Record<string, string>)['content-type']!, body })
      const first = Number(new URL(url, 'http://x').searchParams.get('first_line'))
      const result: ImportResult = { accepted: 0, skipped: 0, refused: [] }
      body.split('\n').forEach((l, i) => {
        if (l === '') return
        if (l === 'not json') result.refused.push({ line: first + i, reason: 'invalid JSON' })
        else if (l === '{"d":4}') result.skipped++
        else result.accepted++
      })
      return new Response(JSON.stringify({ data: result, code: 'ok' }), { status: 200 })
    })
    const file = fileOf(lines.join('\n'))
    const seen: ImportProgress[] = []
    const result = await importEvents('r1', file, (p) => seen.push(p), { chunkBytes: 18 })
    expect(calls.map((c) => [c.url, c.body])).toEqual([
      ['/api/relays/r1/import?first_line=1', '{"a":1}\nnot json\n'],
      ['/api/relays/r1/import?first_line=3', '{"c":3}\n{"d":4}\n'],
      ['/api/relays/r1/import?first_line=5', '{"e":5}'],
    ])
    expect(calls.every((c) => c.type === 'application/x-ndjson')).toBe(true)
    expect(result).toEqual({ accepted: 3, skipped: 1, refused: [{ line: 2, reason: 'invalid JSON' }] })
    expect(seen.map((p) => p.bytes)).toEqual([0, 17, 33, file.size])
    expect(seen.at(-1)!.result).toEqual(result)
  })

  it('reports a line too large for the server as refused and goes on', async () => {
    vi.stubGlobal('fetch', async (url: string) => {
      if (url.endsWith('first_line=2')) return new Response(JSON.stringify({ error: 'body too large', code: 'payload-too-large' }), { status: 413 })
      return new Response(JSON.stringify({ data: { accepted: 1, skipped: 0, refused: [] }, code: 'ok' }), { status: 200 })
    })
    const result = await importEvents('r1', fileOf(`{"a":1}\n${'x'.repeat(40)}\n{"b":2}\n`), () => {}, { chunkBytes: 10 })
    expect(result).toEqual({ accepted: 2, skipped: 0, refused: [{ line: 2, reason: 'too large to import (a line over 1 MiB)' }] })
  })

  it('stops on any other failure, in words', async () => {
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify({ error: 'forbidden', code: 'forbidden' }), { status: 403 }))
    await expect(importEvents('r1', fileOf('{"a":1}\n'), () => {})).rejects.toThrow('You are not allowed to do this.')
  })
})

describe('addResult', () => {
  it('adds counts and keeps refused lines in order', () => {
    const a = addResult(emptyResult(), { accepted: 1, skipped: 2, refused: [{ line: 3, reason: 'x' }] })
    expect(addResult(a, { accepted: 4, skipped: 0, refused: [{ line: 9, reason: 'y' }] })).toEqual({
      accepted: 5,
      skipped: 2,
      refused: [
        { line: 3, reason: 'x' },
        { line: 9, reason: 'y' },
      ],
    })
  })
})
