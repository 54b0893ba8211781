// A JSONL file cut into request-sized chunks at line boundaries, each knowing the number of its first line, so
// the server can report a refused line by its number in the whole file. Read slice by slice: a file of any size
// is never held in memory at once.

/** The import endpoint takes bodies up to 1 MiB; half of it keeps each request quick and the progress bar lively. */
export const IMPORT_CHUNK_BYTES = 512 * 1024

export interface JsonlChunk {
  /** 1-based number of the chunk's first line in the file. */
  firstLine: number
  bytes: Uint8Array
  /** Byte offset in the file just past this chunk (for progress). */
  end: number
}

/** Reads bytes [start, end) of the source. */
export type ReadRange = (start: number, end: number) => Promise<Uint8Array>

const NEWLINE = 0x0a

function countNewlines(bytes: Uint8Array): number {
  let n = 0
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === NEWLINE) n++
  return n
}

/**
 * Chunks of at most `maxBytes`, each ending just after a `\n` (or at the end of the file). A line longer than
 * `maxBytes` is sent alone, whole: the server then refuses or accepts it by itself, and the lines around it are
 * unaffected. `\r\n` stays intact (the `\r` ends its line's JSON as whitespace).
 */
export async function* jsonlChunks(size: number, read: ReadRange, maxBytes = IMPORT_CHUNK_BYTES): AsyncGenerator<JsonlChunk> {
  let pos = 0
  let line = 1
  while (pos < size) {
    const windowEnd = Math.min(pos + maxBytes, size)
    const window = await read(pos, windowEnd)
    if (windowEnd === size) {
      yield { firstLine: line, bytes: window, end: size }
      return
    }
    const cut = window.lastIndexOf(NEWLINE)
    if (cut >= 0) {
      const bytes = window.subarray(0, cut + 1)
      yield { firstLine: line, bytes, end: pos + cut + 1 }
      line += countNewlines(bytes)
      pos += cut + 1
      continue
    }
    // One line longer than a chunk: find where it ends and send it on its own.
    const parts: Uint8Array[] = [window]
    let end = windowEnd
    let lineEnd = -1
    while (end < size && lineEnd < 0) {
      const next = await read(end, Math.min(end + maxBytes, size))
      const nl = next.indexOf(NEWLINE)
      if (nl >= 0) {
        parts.push(next.subarray(0, nl + 1))
        lineEnd = end + nl + 1
      } else {
        parts.push(next)
      }
      end += next.length
    }
    const stop = lineEnd >= 0 ? lineEnd : size
    yield { firstLine: line, bytes: concat(parts, stop - pos), end: stop }
    line += 1
    pos = stop
  }
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length)
  let at = 0
  for (const p of parts) {
    out.set(p.subarray(0, length - at), at)
    at += Math.min(p.length, length - at)
  }
  return out
}

/** A browser File or Blob as a ReadRange. */
export function blobReader(blob: Blob): ReadRange {
  return async (start, end) => new Uint8Array(await blob.slice(start, end).arrayBuffer())
}
