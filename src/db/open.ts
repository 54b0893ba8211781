// Opens the configured database: a SQLite file (the embedded default) or PostgreSQL (`DATABASE_URL=postgres://…`).
import type { Config } from '../config.js'
import { SqliteDatabase, type Database } from './database.js'
import { PostgresDatabase } from './postgres.js'

export function openDatabase(database: Config['database']): Database {
  return database.kind === 'postgres' ? new PostgresDatabase(database.url) : new SqliteDatabase(database.path)
}
