import { randomBytes } from 'node:crypto'

/** A random, URL-safe id with 128 bits of entropy. */
export function randomId(): string {
  return randomBytes(16).toString('base64url')
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000)
}

let lastMs = 0
let sequence = 0

/**
 * A random id (96 bits) behind a time-ordered prefix (milliseconds + a per-process sequence, as hex so it
 * sorts as text). Activity rows use it so that rows written in the same second still page in the order they
 * were written: keyset order is (created_at, id).
 */
export function sortableId(now = Date.now()): string {
  if (now <= lastMs) {
    sequence++
    now = lastMs
  } else {
    lastMs = now
    sequence = 0
  }
  return `${now.toString(16).padStart(12, '0')}${(sequence & 0xffff).toString(16).padStart(4, '0')}${randomBytes(12).toString('base64url')}`
}
