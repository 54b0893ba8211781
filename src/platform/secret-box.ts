// At-rest encryption for secrets we must keep (relay secret keys, wallet-connect URIs): AES-256-GCM with a
// random nonce per value, keyed by HKDF from the robot's secret key. Stored as `v1.<base64url>`.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

const VERSION = 'v1'

export class SecretBox {
  private readonly key: Buffer

  constructor(secretKeyHex: string) {
    this.key = Buffer.from(hkdfSync('sha256', Buffer.from(secretKeyHex, 'hex'), 'caravel', 'at-rest-encryption-v1', 32))
  }

  seal(plaintext: string): string {
    const nonce = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce)
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
    return `${VERSION}.${Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url')}`
  }

  open(sealed: string): string {
    const [version, payload] = sealed.split('.')
    if (version !== VERSION || !payload) throw new Error('unknown sealed value format')
    const raw = Buffer.from(payload, 'base64url')
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12))
    decipher.setAuthTag(raw.subarray(raw.length - 16))
    return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8')
  }
}
