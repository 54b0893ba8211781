// Numbered SQL migrations (`migrations/NNNN_name.sql`), applied in order, each in its own transaction and
// recorded in the `migration` table. A landed migration is never edited: add a new file instead.
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Database } from './database.js'

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url))

export interface Migration {
  name: string
  sql: string
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((name) => ({ name, sql: readFileSync(`${dir}/${name}`, 'utf8') }))
}

/** Applies pending migrations; returns the names applied. `upTo` stops after that migration (benchmarks). */
export function migrate(db: Database, options: { upTo?: string; migrations?: Migration[] } = {}): string[] {
  const raw = db.rawWriter
  raw.exec('CREATE TABLE IF NOT EXISTS migration (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)')
  const applied = new Set((raw.prepare('SELECT name FROM migration').all() as { name: string }[]).map((r) => r.name))
  const done: string[] = []
  for (const m of options.migrations ?? loadMigrations()) {
    if (!applied.has(m.name)) {
      raw.transaction(() => {
        raw.exec(m.sql)
        raw.prepare('INSERT INTO migration (name, applied_at) VALUES (?, ?)').run(m.name, Math.floor(Date.now() / 1000))
      })()
      done.push(m.name)
    }
    if (options.upTo && m.name.startsWith(options.upTo)) break
  }
  return done
}
