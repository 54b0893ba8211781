// The robot: the deployment's own Nostr identity. It signs engine management calls and keys the at-rest
// encryption of secrets. From ROBOT_SECRET, or generated once and kept in the data directory.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { bytesToHex, hexToBytes } from 'nostr-tools/utils'
import { generateSecretKey, getPublicKey, type EventTemplate, type NostrEvent } from 'nostr-tools/pure'
import { signEvent } from '../nostr/verify.js'

export interface RobotIdentity {
  pubkey: string
  secretKeyHex: string
  sign(template: EventTemplate): NostrEvent
}

export function robotFromSecret(secretKeyHex: string): RobotIdentity {
  const sk = hexToBytes(secretKeyHex)
  return { pubkey: getPublicKey(sk), secretKeyHex, sign: (t) => signEvent(t, sk) }
}

export function loadRobotIdentity(options: { secret?: string; dataDir: string }): RobotIdentity {
  if (options.secret) return robotFromSecret(options.secret)
  const file = join(options.dataDir, 'robot.key')
  if (existsSync(file)) {
    const hex = readFileSync(file, 'utf8').trim()
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`${file}: not a 64-character hex secret key`)
    return robotFromSecret(hex)
  }
  mkdirSync(options.dataDir, { recursive: true })
  const hex = bytesToHex(generateSecretKey())
  writeFileSync(file, `${hex}\n`, { mode: 0o600, flag: 'wx' })
  return robotFromSecret(hex)
}
