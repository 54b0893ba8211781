// Numbered SQL migrations (`migrations/NNNN_name.sql`), applied in order, each in its own transaction and
// recorded in the `migration` table. A landed migration is never edited: add a new file instead.
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Database } from './database.js'

/** The advisory lock key migrations take on PostgreSQL (any constant of ours). */
const MIGRATION_LOCK = 0x63617276

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
export async function migrate(db: Database, options: { upTo?: string; migrations?: Migration[] } = {}): Promise<string[]> {
  // Several instances may start at once on one PostgreSQL database: each migration runs under one advisory lock,
  // and its name is recorded first, so the second instance fails on the name, finds it applied, and moves on.
  const lock = db.kind === 'postgres' ? `SELECT pg_advisory_xact_lock(${MIGRATION_LOCK});\n` : ''
  await db.execScript(`BEGIN;\n${lock}CREATE TABLE IF NOT EXISTS migration (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL);\nCOMMIT;`)
  const appliedNames = async () => new Set((await db.raw<{ name: string }>('SELECT name FROM migration')).map((r) => r.name))
  const applied = await appliedNames()
  const done: string[] = []
  for (const m of options.migrations ?? loadMigrations()) {
    if (!applied.has(m.name)) {
      // One transaction per migration: a failing file leaves nothing half-applied (both engines have
      // transactional DDL). The name is recorded in the same transaction.
      const recorded = `INSERT INTO migration (name, applied_at) VALUES ('${m.name.replace(/'/g, "''")}', ${Math.floor(Date.now() / 1000)})`
      try {
        await db.execScript(`BEGIN;\n${lock}${recorded};\n${m.sql}\n;\nCOMMIT;`)
        done.push(m.name)
      } catch (err) {
        await db.execScript('ROLLBACK').catch(() => undefined)
        if (!(await appliedNames()).has(m.name)) throw new Error(`migration ${m.name} failed: ${(err as Error).message}`)
      }
    }
    if (options.upTo && m.name.startsWith(options.upTo)) break
  }
  return done
}
