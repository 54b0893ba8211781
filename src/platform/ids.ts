import { randomBytes } from 'node:crypto'

/** A random, URL-safe id with 128 bits of entropy. */
export function randomId(): string {
  return randomBytes(16).toString('base64url')
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000)
}
