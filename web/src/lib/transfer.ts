// Moving a relay's events in and out from the browser: the export streamed with progress (events counted by
// their line ends against the X-Event-Count header), and an import sent in line-cut chunks whose answers add up
// to one summary. A refused line never stops the rest.
import { api, relayPath, type ImportResult } from './api'
import { ApiError } from './errors'
import { blobReader, IMPORT_CHUNK_BYTES, jsonlChunks } from './jsonl'

export interface ExportProgress {
  events: number
  bytes: number
  /** Events the relay said it holds when the export started; null when it did not say. */
  total: number | null
}

export interface ExportedFile {
  blob: Blob
  filename: string
  events: number
}

/** `attachment; filename="club-2026-05-01.jsonl"` → the name; a safe default otherwise. */
export function filenameFrom(disposition: string | null, fallback: string): string {
  const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition ?? '')
  const name = m ? decodeURIComponent(m[1]!).replace(/[/\\]/g, '_').trim() : ''
  return name || fallback
}

async function failure(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as { error?: string; code?: string }
    return new ApiError(res.status, body.code ?? 'internal-error', body.error ?? '')
  } catch {
    return new ApiError(res.status, 'internal-error', `HTTP ${res.status}`)
  }
}

/** Downloads the relay's events, reporting progress as the stream arrives. */
export async function exportEvents(relayId: string, onProgress: (p: ExportProgress) => void, signal?: AbortSignal): Promise<ExportedFile> {
  let res: Response
  try {
    res = await fetch(`${relayPath(relayId)}/export`, { credentials: 'same-origin', signal, headers: { accept: 'application/x-ndjson' } })
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err
    throw new ApiError(0, 'network', (err as Error).message)
  }
  if (!res.ok) throw await failure(res)
  const header = res.headers.get('x-event-count')
  const total = header !== null && /^\d+$/.test(header) ? Number(header) : null
  const filename = filenameFrom(res.headers.get('content-disposition'), 'relay-events.jsonl')
  const parts: Uint8Array<ArrayBuffer>[] = []
  const progress: ExportProgress = { events: 0, bytes: 0, total }
  let lastByte = 0x0a
  onProgress({ ...progress })
  if (res.body) {
    const reader = res.body.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      parts.push(value)
      progress.bytes += value.length
      for (let i = 0; i < value.length; i++) if (value[i] === 0x0a) progress.events++
      lastByte = value[value.length - 1] ?? lastByte
      onProgress({ ...progress })
    }
  }
  // A last line without a newline is an event too.
  if (lastByte !== 0x0a) {
    progress.events++
    onProgress({ ...progress })
  }
  return { blob: new Blob(parts, { type: 'application/x-ndjson' }), filename, events: progress.events }
}

/** Hands a blob to the browser as a download. */
export function saveFile(file: { blob: Blob; filename: string }): void {
  const url = URL.createObjectURL(file.blob)
  const a = document.createElement('a')
  a.href = url
  a.download = file.filename
  a.hidden = true
  document.body.append(a)
  a.click()
  a.remove()
  // The download has its own reference by now; give the browser a moment before letting go.
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export interface ImportProgress {
  bytes: number
  size: number
  result: ImportResult
}

export const emptyResult = (): ImportResult => ({ accepted: 0, skipped: 0, refused: [] })

/** Adds one chunk's answer to the running summary. */
export function addResult(sum: ImportResult, part: ImportResult): ImportResult {
  return { accepted: sum.accepted + part.accepted, skipped: sum.skipped + part.skipped, refused: [...sum.refused, ...part.refused] }
}

/** How many lines a chunk holds (a last line without a newline counts). */
function linesIn(bytes: Uint8Array): number {
  let n = 0
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) n++
  return bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a ? n + 1 : n
}

/**
 * Sends a JSONL file to the relay chunk by chunk. A chunk the server refuses as too large (only a single line
 * longer than the body limit can be) is reported as that refused line, and the import goes on.
 */
export async function importEvents(
  relayId: string,
  file: Blob,
  onProgress: (p: ImportProgress) => void,
  options: { signal?: AbortSignal; chunkBytes?: number } = {},
): Promise<ImportResult> {
  let result = emptyResult()
  onProgress({ bytes: 0, size: file.size, result })
  for await (const chunk of jsonlChunks(file.size, blobReader(file), options.chunkBytes ?? IMPORT_CHUNK_BYTES)) {
    options.signal?.throwIfAborted()
    let part: ImportResult
    try {
      part = await api.importChunk(relayId, chunk.firstLine, chunk.bytes as Uint8Array<ArrayBuffer>, options.signal)
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 413) throw err
      const reason = 'too large to import (a line over 1 MiB)'
      part = { accepted: 0, skipped: 0, refused: Array.from({ length: linesIn(chunk.bytes) }, (_, i) => ({ line: chunk.firstLine + i, reason })) }
    }
    result = addResult(result, part)
    onProgress({ bytes: chunk.end, size: file.size, result })
  }
  return result
}
