// Opening SQLite databases the way the engine needs them: WAL, synchronous=FULL, foreign keys, busy timeout.
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
  if (!options.readonly) db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.pragma('foreign_keys = ON')
  return db
}
