// Opening SQLite databases the way the engine needs them: WAL, synchronous=FULL, foreign keys, busy timeout;
// schemas created once, in one transaction.
import fs from 'node:fs'
import Database from 'better-sqlite3'

export type Db = Database.Database

export function openDatabase(file: string, options: { mode?: number; readonly?: boolean } = {}): Db {
  if (options.mode !== undefined && !fs.existsSync(file)) {
    fs.closeSync(fs.openSync(file, 'a', options.mode))
  }
  const db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false })
  if (options.mode !== undefined) fs.chmodSync(file, options.mode)
  db.pragma('busy_timeout = 5000')
  // WAL is persistent in the file: switch only a database that is not in WAL yet (a new one), once.
  if (!options.readonly && db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.pragma('foreign_keys = ON')
  return db
}

/**
 * Creates a schema in one transaction (one commit, one fsync) unless `user_version` says it is there already,
 * so reopening an existing database writes nothing. `sql` must be idempotent (`IF NOT EXISTS`): databases made
 * before versioning have user_version 0 and get it re-applied once.
 */
export function ensureSchema(db: Db, sql: string, version: number): void {
  if (db.pragma('user_version', { simple: true }) === version) return
  db.transaction(() => {
    db.exec(sql)
    db.pragma(`user_version = ${version}`)
  }).immediate()
}
