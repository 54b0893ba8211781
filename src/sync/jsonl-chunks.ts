// A JSONL stream cut into chunks of at most `maxBytes`, each ending at a line end and knowing the number of its
// first line, so an engine import (which takes bodies up to 1 MiB) can name refused lines by their place in the
// whole stream. Only about one chunk is held in memory at a time.

export interface StreamChunk {
  /** 1-based number of the chunk's first line in the stream. */
  firstLine: number
  /** Lines in the chunk (the last one may lack its `\n` at the end of the stream). */
  lines: number
  bytes: Buffer
}

const NEWLINE = 0x0a

function countLines(bytes: Buffer): number {
  let n = 0
  for (let i = bytes.indexOf(NEWLINE); i !== -1; i = bytes.indexOf(NEWLINE, i + 1)) n++
  return bytes.length > 0 && bytes[bytes.length - 1] !== NEWLINE ? n + 1 : n
}

/** A line longer than `maxBytes` cannot be sent in one chunk. */
export class LineTooLongError extends Error {
  constructor(readonly line: number, maxBytes: number) {
    super(`line ${line} is longer than ${maxBytes} bytes`)
  }
}

export async function* streamChunks(source: AsyncIterable<Uint8Array>, maxBytes: number): AsyncGenerator<StreamChunk> {
  let pieces: Buffer[] = []
  let held = 0
  let line = 1
  const emit = (bytes: Buffer): StreamChunk => {
    const chunk = { firstLine: line, lines: countLines(bytes), bytes }
    line += chunk.lines
    return chunk
  }
  for await (const piece of source) {
    pieces.push(Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength))
    held += piece.byteLength
    while (held > maxBytes) {
      const buffer = Buffer.concat(pieces, held)
      const cut = buffer.lastIndexOf(NEWLINE, maxBytes - 1)
      if (cut === -1) throw new LineTooLongError(line, maxBytes)
      yield emit(buffer.subarray(0, cut + 1))
      const rest = buffer.subarray(cut + 1)
      pieces = rest.length > 0 ? [rest] : []
      held = rest.length
    }
  }
  if (held > 0) yield emit(Buffer.concat(pieces, held))
}
