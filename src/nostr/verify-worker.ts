// One thread of the NIP-98 verification pool (verify-pool.ts): parses the token's JSON afresh and checks shape,
// id and signature, exactly as `verifyFreshEvent` does on the event loop.
import { initVerifier, verifyFreshEvent } from './verify.js'

await initVerifier()

export default function verify(json: string): boolean {
  let parsed: unknown
  try {
    parsed = JSON.parse(json)
  } catch {
    return false
  }
  return verifyFreshEvent(parsed)
}
