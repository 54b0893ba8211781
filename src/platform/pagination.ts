// Keyset pagination: an opaque cursor names the last row of the previous page.
import { DomainError } from './errors.js'

export const DEFAULT_PAGE_SIZE = 50
export const MAX_PAGE_SIZE = 200

export interface Page<T> {
  items: T[]
  next_cursor: string | null
}

export function encodeCursor(key: (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url')
}

/** Decodes a cursor into a key of the given shape, or throws 400 `invalid-cursor`. */
export function decodeCursor<K extends (string | number)[]>(cursor: string, shape: ('string' | 'number')[]): K {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (Array.isArray(key) && key.length === shape.length && key.every((v, i) => typeof v === shape[i])) return key as K
  } catch {
    // reported below
  }
  throw new DomainError(400, 'invalid-cursor', 'the cursor is not one this API issued')
}

/** Builds a page from `limit + 1` fetched rows. */
export function pageOf<R, T>(rows: R[], limit: number, view: (r: R) => T, key: (r: R) => (string | number)[]): Page<T> {
  const more = rows.length > limit
  const items = more ? rows.slice(0, limit) : rows
  return { items: items.map(view), next_cursor: more ? encodeCursor(key(items[items.length - 1]!)) : null }
}
