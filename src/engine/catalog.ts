// The catalog database (mode 0600): relay configs, secrets included, and their status. Inactive relays keep
// reserving their host and schema; a deleted relay keeps only its id, marking data retained on disk.
import fs from 'node:fs'
import path from 'node:path'
import type { Statement } from 'better-sqlite3'
import { storedRelayConfig, type RelayConfig } from './relay-config.js'
import { openDatabase, type Db } from './sqlite.js'

export type RelayStatus = 'active' | 'inactive' | 'deleted'

export interface CatalogEntry {
  id: string
  status: RelayStatus
  config: RelayConfig | null
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS relays (
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN ('active', 'inactive', 'deleted')),
  host TEXT,
  schema_name TEXT,
  config TEXT,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS relays_by_host ON relays(host) WHERE host IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS relays_by_schema ON relays(schema_name) WHERE schema_name IS NOT NULL;
`

interface Row {
  id: string
  status: RelayStatus
  config: string | null
}

export class Catalog {
  readonly db: Db
  private readonly getStmt: Statement
  private readonly hostStmt: Statement
  private readonly schemaStmt: Statement
  private readonly upsertStmt: Statement
  private readonly deleteStmt: Statement
  private readonly markDeletedStmt: Statement
  private readonly listStmt: Statement

  constructor(dataDir: string) {
    fs.mkdirSync(dataDir, { recursive: true })
    this.db = openDatabase(path.join(dataDir, 'catalog.sqlite'), { mode: 0o600 })
    this.db.exec(SCHEMA)
    this.getStmt = this.db.prepare('SELECT id, status, config FROM relays WHERE id = ?')
    this.hostStmt = this.db.prepare('SELECT id FROM relays WHERE host = ? AND id != ?').pluck()
    this.schemaStmt = this.db.prepare('SELECT id FROM relays WHERE schema_name = ? AND id != ?').pluck()
    this.upsertStmt = this.db.prepare(
      `INSERT INTO relays (id, status, host, schema_name, config, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET status = excluded.status, host = excluded.host,
         schema_name = excluded.schema_name, config = excluded.config, updated_at = excluded.updated_at`,
    )
    this.deleteStmt = this.db.prepare('DELETE FROM relays WHERE id = ?')
    this.markDeletedStmt = this.db.prepare(
      "UPDATE relays SET status = 'deleted', host = NULL, schema_name = NULL, config = NULL, updated_at = ? WHERE id = ?",
    )
    this.listStmt = this.db.prepare("SELECT id, status, config FROM relays WHERE status != 'deleted'")
  }

  close(): void {
    if (this.db.open) this.db.close()
  }

  get(id: string): CatalogEntry | undefined {
    const row = this.getStmt.get(id) as Row | undefined
    return row ? toEntry(row) : undefined
  }

  /** Configured (active or inactive) relays. */
  listConfigured(): CatalogEntry[] {
    return (this.listStmt.all() as Row[]).map(toEntry)
  }

  /** The other relay id already using `host`, if any. */
  hostOwner(host: string, exceptId: string): string | undefined {
    return this.hostStmt.get(host, exceptId) as string | undefined
  }

  schemaOwner(schema: string, exceptId: string): string | undefined {
    return this.schemaStmt.get(schema, exceptId) as string | undefined
  }

  save(id: string, config: RelayConfig): void {
    const status: RelayStatus = config.inactive ? 'inactive' : 'active'
    this.upsertStmt.run(id, status, config.host, config.schema, JSON.stringify(config), Date.now())
  }

  /** Removes the config but remembers that data is retained under this id. */
  markDeleted(id: string): void {
    this.markDeletedStmt.run(Date.now(), id)
  }

  remove(id: string): void {
    this.deleteStmt.run(id)
  }
}

function toEntry(row: Row): CatalogEntry {
  return { id: row.id, status: row.status, config: row.config ? storedRelayConfig(JSON.parse(row.config) as RelayConfig) : null }
}
