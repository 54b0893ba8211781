// Structured JSON logs. Secrets are redacted by key wherever they appear, so a careless `log.info({ relay })`
// cannot leak a relay secret, a wallet URI or a session token.
import { pino, type Logger } from 'pino'

export const REDACTED_KEYS = [
  'secret',
  'nwc_url',
  'nwcUrl',
  'wallet',
  'token',
  'authorization',
  'cookie',
  'set-cookie',
  'robotSecret',
  'robotWallet',
  'stripeSecretKey',
  'secretKey',
  'webhookSecrets',
  'apiSecret',
  'api_secret',
  'secret_key',
  'accessKey',
  'password',
]

export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const paths = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `headers["${k}"]`, `req.headers["${k}"]`])
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths, censor: '[redacted]' },
      base: undefined,
    },
    options.destination as pino.DestinationStream | undefined,
  )
}

export type { Logger }
