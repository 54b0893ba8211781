// The database: Kysely's typed query builder over SQLite (better-sqlite3, the embedded default) or PostgreSQL
// (`postgres.ts`). This file defines what the platform may ask of either, and the SQLite implementation.
//
// Kysely builds and compiles SQL; this module executes it. Two connections to one WAL file: a writer that
// runs transactions one at a time, and a reader for everything else, so a read can never observe a write
// that has not committed (commands publish activity only after commit, and readers must agree with them).
// Statements are prepared once per SQL string, and hot-path queries are compiled once at start-up
// (`prepared`), so a request never pays for query building.
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { LRUCache } from 'lru-cache'
import {
  DummyDriver,
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
  type Compilable,
  type RawBuilder,
  type CompiledQuery,
} from 'kysely'
import type { Schema } from './schema.js'

export type SqlBuilder = Kysely<Schema>

/** A Kysely instance that only builds and compiles queries; execution is ours. */
export const sqlBuilder: SqlBuilder = new Kysely<Schema>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
})

export type Query<R> = Compilable<R> | CompiledQuery<R>

export function compiled<R>(query: Query<R>): CompiledQuery<R> {
  return 'compile' in query ? query.compile() : query
}

export function bind(values: readonly unknown[]): unknown[] {
  return values.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v))
}

class Connection {
  private readonly statements = new Map<string, BetterSqlite3.Statement>()
  constructor(readonly raw: BetterSqlite3.Database) {}

  statement(sql: string): BetterSqlite3.Statement {
    let stmt = this.statements.get(sql)
    if (!stmt) {
      stmt = this.raw.prepare(sql)
      this.statements.set(sql, stmt)
    }
    return stmt
  }

  sqlSeen(): string[] {
    return [...this.statements.keys()]
  }

  all<R>(sql: string, params: readonly unknown[]): R[] {
    const stmt = this.statement(sql)
    return (stmt.reader ? stmt.all(...bind(params)) : (stmt.run(...bind(params)), [])) as R[]
  }

  run(sql: string, params: readonly unknown[]): number {
    return this.statement(sql).run(...bind(params)).changes
  }
}

/**
 * Executes queries inside one open transaction. Asynchronous because PostgreSQL is; on SQLite the work is done
 * by the time the promise exists. Always await: an un-awaited statement could run after COMMIT on PostgreSQL.
 */
export interface Tx {
  readonly q: SqlBuilder
  all<R>(query: Query<R>): Promise<R[]>
  first<R>(query: Query<R>): Promise<R | undefined>
  /** Returns the number of rows changed. */
  run(query: Query<unknown>): Promise<number>
  /**
   * Tells the other instances sharing the database, on commit only (PostgreSQL NOTIFY). A no-op on SQLite,
   * where there is only one instance.
   */
  notify(channel: string, payload: string): Promise<void>
}

/** Marks a position in a query built once by `prepared`; replaced by the call's argument at that index. */
export class Param {
  constructor(readonly index: number) {}
}

// `any` so a placeholder fits wherever the builder expects a typed value.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ParamFn = (index: number) => any

export interface PageOptions {
  /** Results kept for repeated calls while nothing has been committed since (SQLite). */
  cacheEntries?: number
}

/** What the platform asks of a database, whichever engine holds it. */
export interface Database {
  readonly kind: 'sqlite' | 'postgres'
  readonly q: SqlBuilder
  /** SQL of every query compiled by `prepared`/`preparedOne`/`preparedPage`, for query-plan tests and benchmarks. */
  readonly preparedSql: string[]
  all<R>(query: Query<R>): Promise<R[]>
  first<R>(query: Query<R>): Promise<R | undefined>
  prepared<A extends unknown[], R>(build: (q: SqlBuilder, p: ParamFn) => Query<R>): (...args: A) => Promise<R[]>
  preparedOne<A extends unknown[], R>(build: (q: SqlBuilder, p: ParamFn) => Query<R>): (...args: A) => Promise<R | undefined>
  /**
   * `options.cacheEntries`: keep up to that many recent results and answer from them while the database is
   * unchanged (SQLite only, where "unchanged" costs one pragma read; PostgreSQL always runs the query). The
   * rows are then frozen: callers must not modify them.
   */
  preparedPage<A extends unknown[], R>(
    build: (q: SqlBuilder, p: ParamFn, limit: RawBuilder<number>) => Query<R>,
    options?: PageOptions,
  ): (limit: number, ...args: A) => Promise<R[]>
  transaction<T>(fn: (tx: Tx) => Promise<T> | T): Promise<T>
  /** Several statements at once, outside any transaction of ours (migrations). */
  execScript(sql: string): Promise<void>
  /** A hand-written statement with `?` placeholders (maintenance, tests); portable SQL only. */
  raw<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>
  /** The query plan of a statement with `?` placeholders, one line per step. */
  explain(sql: string, params?: unknown[]): Promise<string[]>
  /** SQL of every statement run so far (query-plan tests walk them). */
  executedSql(): string[]
  /**
   * A number that changes whenever anything has been committed since it was last read (by any connection or
   * process), or undefined where there is no cheap way to know (PostgreSQL). Result caches key on it.
   */
  dataVersion(): number | undefined
  close(): Promise<void>
}

export class SqliteDatabase implements Database {
  readonly kind = 'sqlite' as const
  readonly q = sqlBuilder
  private readonly writer: Connection
  private readonly reader: Connection
  private queue: Promise<unknown> = Promise.resolve()
  /** SQL of every query compiled by `prepared`/`preparedOne`, for query-plan tests and benchmarks. */
  readonly preparedSql: string[] = []
  private closed = false
  private readonly dataVersionStmt: BetterSqlite3.Statement
  /** See `dataVersion`. */
  private version = 0
  private sharedVersion = -1
  private sharedVersionFresh = false

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true })
    const writer = new BetterSqlite3(path)
    writer.pragma('journal_mode = WAL')
    writer.pragma('synchronous = NORMAL')
    writer.pragma('foreign_keys = ON')
    writer.pragma('busy_timeout = 5000')
    const reader = new BetterSqlite3(path)
    reader.pragma('foreign_keys = ON')
    reader.pragma('busy_timeout = 5000')
    reader.pragma('query_only = ON')
    this.writer = new Connection(writer)
    this.reader = new Connection(reader)
    this.dataVersionStmt = reader.prepare('PRAGMA data_version').pluck()
  }

  async execScript(sql: string): Promise<void> {
    this.writer.raw.exec(sql)
    this.committed()
  }

  async raw<R = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<R[]> {
    const rows = this.writer.all<R>(sql, params)
    this.committed()
    return rows
  }

  async explain(sql: string, params: unknown[] = []): Promise<string[]> {
    return (this.writer.raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...bind(params)) as { detail: string }[]).map((r) => r.detail)
  }

  /** The writer's raw handle, for migrations and maintenance commands that need it. */
  get rawWriter(): BetterSqlite3.Database {
    return this.writer.raw
  }

  /** SQL of every statement either connection has prepared so far (query-plan tests walk them). */
  executedSql(): string[] {
    return [...new Set([...this.reader.sqlSeen(), ...this.writer.sqlSeen()])]
  }

  /** The reader's raw handle: benchmarks and query-plan tests compare against it. */
  get rawReader(): BetterSqlite3.Database {
    return this.reader.raw
  }

  async all<R>(query: Query<R>): Promise<R[]> {
    const c = compiled(query)
    return this.reader.all<R>(c.sql, c.parameters)
  }

  async first<R>(query: Query<R>): Promise<R | undefined> {
    return (await this.all(query))[0]
  }

  /**
   * Compiles a query once; the returned function runs it with new arguments through a cached statement.
   * Build it with `p(0)`, `p(1)`… where the arguments go.
   */
  prepared<A extends unknown[], R>(build: (q: SqlBuilder, p: ParamFn) => Query<R>): (...args: A) => Promise<R[]> {
    const { stmt, values } = this.compileOnce<A, R>(build)
    return async (...args: A) => stmt.all(...values(args)) as R[]
  }

  /** Like `prepared`, for a query that returns at most one row. */
  preparedOne<A extends unknown[], R>(build: (q: SqlBuilder, p: ParamFn) => Query<R>): (...args: A) => Promise<R | undefined> {
    const { stmt, values } = this.compileOnce<A, R>(build)
    return async (...args: A) => stmt.get(...values(args)) as R | undefined
  }

  /**
   * Like `prepared`, for a paged query: the page size is written into the SQL as a literal (one cached
   * statement per size) because a bound LIMIT costs SQLite a re-preparation on every run — it tripled the
   * cost of a small page in measurements.
   */
  preparedPage<A extends unknown[], R>(
    build: (q: SqlBuilder, p: ParamFn, limit: RawBuilder<number>) => Query<R>,
    options: PageOptions = {},
  ): (limit: number, ...args: A) => Promise<R[]> {
    const bySize = new Map<number, { stmt: BetterSqlite3.Statement; values: (args: A) => unknown[] }>()
    const run = (limit: number, args: A): R[] => {
      if (!Number.isSafeInteger(limit) || limit < 1) throw new Error(`invalid page size ${limit}`)
      let compiledPage = bySize.get(limit)
      if (!compiledPage) {
        compiledPage = this.compileOnce<A, R>((q, p) => build(q, p, sql.lit(limit)))
        bySize.set(limit, compiledPage)
      }
      return compiledPage.stmt.all(...compiledPage.values(args)) as R[]
    }
    const max = options.cacheEntries ?? 0
    if (max <= 0) return async (limit: number, ...args: A) => run(limit, args)
    const results = new LRUCache<string, { version: number; rows: R[] }>({ max })
    return async (limit: number, ...args: A) => {
      const key = `${limit}\u0000${args.join('\u0000')}`
      // Read the version first: a commit landing between this read and the query makes the entry look older
      // than it is (refreshed once more), never newer.
      const version = this.dataVersion()
      const hit = results.get(key)
      if (hit && hit.version === version) return hit.rows
      const rows = run(limit, args)
      for (const row of rows) Object.freeze(row)
      Object.freeze(rows)
      results.set(key, { version, rows })
      return rows
    }
  }

  /**
   * Changes whenever anything was committed since the last look. This process's own commits count at once (every
   * write goes through this object); another process's (the CLI on the same file) are seen through SQLite's
   * `data_version` on the reader, read at most once per event-loop turn: that pragma takes a read lock on the WAL
   * index, two system calls, which was the largest cost of a cached answer. So a commit by another process is seen
   * from the next turn on — as if the requests of the current turn had simply arrived a moment earlier.
   */
  dataVersion(): number {
    if (!this.sharedVersionFresh) {
      const shared = this.dataVersionStmt.get() as number
      if (shared !== this.sharedVersion) {
        this.sharedVersion = shared
        this.version++
      }
      this.sharedVersionFresh = true
      setImmediate(() => (this.sharedVersionFresh = false))
    }
    return this.version
  }

  /** After every write of this process: cached results are stale from now on. */
  private committed(): void {
    this.version++
  }

  private compileOnce<A extends unknown[], R>(build: (q: SqlBuilder, p: ParamFn) => Query<R>): { stmt: BetterSqlite3.Statement; values: (args: A) => unknown[] } {
    const c = compiled(build(sqlBuilder, (i) => new Param(i)))
    const slots = c.parameters.map((v) => (v instanceof Param ? v.index : -1))
    this.preparedSql.push(c.sql)
    // Usually the placeholders are the arguments in order, and the arguments can be bound as they are.
    const identity = slots.every((s, i) => s === i)
    const values = identity ? (args: A) => bind(args) : (args: A) => bind(slots.map((s, i) => (s < 0 ? c.parameters[i] : args[s])))
    return { stmt: this.reader.statement(c.sql), values }
  }

  /**
   * Runs `fn` in one write transaction. Transactions are serialised; `fn` may be async but should only
   * await database work. Rolls back when `fn` throws.
   */
  transaction<T>(fn: (tx: Tx) => Promise<T> | T): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.closed) throw new Error('database is closed')
      const w = this.writer
      const tx: Tx = {
        q: sqlBuilder,
        all: async <R>(query: Query<R>) => {
          const c = compiled(query)
          return w.all<R>(c.sql, c.parameters)
        },
        first: async <R>(query: Query<R>) => {
          const c = compiled(query)
          return w.all<R>(c.sql, c.parameters)[0]
        },
        run: async (query) => {
          const c = compiled(query)
          return w.run(c.sql, c.parameters)
        },
        notify: async () => {},
      }
      w.raw.exec('BEGIN IMMEDIATE')
      try {
        const result = await fn(tx)
        w.raw.exec('COMMIT')
        this.committed()
        return result
      } catch (err) {
        if (w.raw.inTransaction) w.raw.exec('ROLLBACK')
        throw err
      }
    }
    const result = this.queue.then(run, run)
    this.queue = result.catch(() => undefined)
    return result
  }

  async close(): Promise<void> {
    await this.queue
    this.closed = true
    this.writer.raw.close()
    this.reader.raw.close()
  }
}
