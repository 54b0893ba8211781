// LISTEN on a dedicated PostgreSQL connection (a pooled one cannot keep a LISTEN), reconnecting with backoff
// when the connection drops. `onConnect` runs after every (re)connection, once the channels are listened to:
// whatever was notified while disconnected is lost, so the caller catches up from the table there.
import type { Logger } from 'pino'
import pg from 'pg'

export interface ListenerOptions {
  url: string
  /** Shown in `pg_stat_activity`, so an operator can tell the feed's connection apart. */
  applicationName?: string
  channels: string[]
  onNotification(channel: string, payload: string): void
  onConnect(reconnected: boolean): Promise<void>
  log?: Logger
  maxBackoffMs?: number
}

export class PostgresListener {
  private client: pg.Client | undefined
  private closed = false
  private connectedOnce = false
  private failures = 0
  private retry: NodeJS.Timeout | undefined

  constructor(private readonly options: ListenerOptions) {}

  /** Connects; resolves once listening and caught up (the first connection must succeed). */
  async start(): Promise<void> {
    await this.connect()
  }

  async close(): Promise<void> {
    this.closed = true
    clearTimeout(this.retry)
    const client = this.client
    this.client = undefined
    await client?.end().catch(() => undefined)
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.url, application_name: this.options.applicationName?.slice(0, 63) })
    let dropped = false
    const drop = (err?: Error) => {
      if (dropped) return
      dropped = true
      if (this.client === client) this.client = undefined
      void client.end().catch(() => undefined)
      if (this.closed) return
      this.options.log?.warn({ err: err?.message }, 'activity feed connection lost; reconnecting')
      this.reconnectLater()
    }
    client.on('error', drop)
    client.on('end', () => drop())
    client.on('notification', (n) => {
      if (n.payload !== undefined) this.options.onNotification(n.channel, n.payload)
    })
    await client.connect()
    if (this.closed) {
      await client.end()
      return
    }
    try {
      for (const channel of this.options.channels) await client.query(`LISTEN ${client.escapeIdentifier(channel)}`)
      this.client = client
      const reconnected = this.connectedOnce
      await this.options.onConnect(reconnected)
      this.connectedOnce = true
      this.failures = 0
    } catch (err) {
      // Not listening, or not caught up: this connection is useless; the caller (or the retry) starts over.
      dropped = true
      if (this.client === client) this.client = undefined
      await client.end().catch(() => undefined)
      throw err
    }
  }

  private reconnectLater(): void {
    const delay = Math.min(this.options.maxBackoffMs ?? 30_000, 500 * 2 ** this.failures++)
    this.retry = setTimeout(() => {
      this.connect().catch((err) => {
        this.options.log?.warn({ err: (err as Error).message }, 'activity feed reconnect failed')
        if (!this.closed) this.reconnectLater()
      })
    }, delay)
    this.retry.unref()
  }
}
