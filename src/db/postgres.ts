// PostgreSQL behind the same interface as SQLite, for deployments that outgrow one machine. Queries are
// compiled by Kysely's PostgreSQL compiler; statements a request runs often are named prepared statements, so
// each connection parses them once. BIGINT comes back as a string from `pg`: it is parsed to a number here.
import { createHash } from 'node:crypto'
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
  type RawBuilder,
} from 'kysely'
import pg from 'pg'
import { bind, compiled, Param, type Database, type PageOptions, type ParamFn, type Query, type SqlBuilder, type Tx } from './database.js'
import type { Schema } from './schema.js'

// int8 (COUNT, BIGINT columns): our values are unix seconds and counts, well inside Number's safe range.
pg.types.setTypeParser(20, (value) => Number(value))

const builder: SqlBuilder = new Kysely<Schema>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
})

/** `?` placeholders → `$1, $2…` (for hand-written portable SQL). */
export function numberPlaceholders(text: string): string {
  let n = 0
  return text.replace(/\?/g, () => `$${++n}`)
}

type Runner = Pick<pg.Pool | pg.PoolClient, 'query'>

export class PostgresDatabase implements Database {
  readonly kind = 'postgres' as const
  readonly q = builder
  readonly preparedSql: string[] = []
  private readonly pool: pg.Pool
  private readonly seen = new Set<string>()

  constructor(readonly url: string, options: { max?: number } = {}) {
    this.pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 })
    // An idle client losing its connection must not crash the process; the pool replaces it.
    this.pool.on('error', () => undefined)
  }

  private async query<R>(runner: Runner, text: string, values: readonly unknown[], name?: string): Promise<{ rows: R[]; rowCount: number }> {
    this.seen.add(text)
    const result = await runner.query({ text, values: bind(values), ...(name ? { name } : {}) })
    return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 }
  }

  async all<R>(query: Query<R>): Promise<R[]> {
    const c = compiled(query)
    return (await this.query<R>(this.pool, c.sql, c.parameters)).rows
  }

  async first<R>(query: Query<R>): Promise<R | undefined> {
    return (await this.all(query))[0]
  }

  private compileOnce<A extends unknown[], R>(build: (q: SqlBuilder, p: ParamFn) => Query<R>) {
    const c = compiled(build(builder, (i) => new Param(i)))
    const slots = c.parameters.map((v) => (v instanceof Param ? v.index : -1))
    this.preparedSql.push(c.sql)
    const name = `q${createHash('sha1').update(c.sql).digest('hex').slice(0, 16)}`
    const values = (args: A) => slots.map((s, i) => (s < 0 ? c.parameters[i] : args[s]))
    return { text: c.sql, name, values }
  }

  prepared<A extends unknown[], R>(build: (q: SqlBuilder, p: ParamFn) => Query<R>): (...args: A) => Promise<R[]> {
    const { text, name, values } = this.compileOnce<A, R>(build)
    return async (...args: A) => (await this.query<R>(this.pool, text, values(args), name)).rows
  }

  preparedOne<A extends unknown[], R>(build: (q: SqlBuilder, p: ParamFn) => Query<R>): (...args: A) => Promise<R | undefined> {
    const run = this.prepared<A, R>(build)
    return async (...args: A) => (await run(...args))[0]
  }

  /** No cheap "nothing committed since" counter on PostgreSQL: caches keyed on it stay off. */
  dataVersion(): undefined {
    return undefined
  }

  /** No result cache here (`PageOptions.cacheEntries`): PostgreSQL has no cheap "nothing changed" counter. */
  preparedPage<A extends unknown[], R>(
    build: (q: SqlBuilder, p: ParamFn, limit: RawBuilder<number>) => Query<R>,
    _options?: PageOptions,
  ): (limit: number, ...args: A) => Promise<R[]> {
    const bySize = new Map<number, (...args: A) => Promise<R[]>>()
    return async (limit: number, ...args: A) => {
      if (!Number.isSafeInteger(limit) || limit < 1) throw new Error(`invalid page size ${limit}`)
      let run = bySize.get(limit)
      if (!run) {
        run = this.prepared<A, R>((q, p) => build(q, p, sql.lit(limit)))
        bySize.set(limit, run)
      }
      return run(...args)
    }
  }

  async transaction<T>(fn: (tx: Tx) => Promise<T> | T): Promise<T> {
    const client = await this.pool.connect()
    const tx: Tx = {
      q: builder,
      all: async <R>(query: Query<R>) => {
        const c = compiled(query)
        return (await this.query<R>(client, c.sql, c.parameters)).rows
      },
      first: async <R>(query: Query<R>) => {
        const c = compiled(query)
        return (await this.query<R>(client, c.sql, c.parameters)).rows[0]
      },
      run: async (query) => {
        const c = compiled(query)
        return (await this.query(client, c.sql, c.parameters)).rowCount
      },
      notify: async (channel, payload) => {
        await client.query({ text: 'SELECT pg_notify($1, $2)', values: [channel, payload] })
      },
    }
    try {
      await client.query('BEGIN')
      const result = await fn(tx)
      await client.query('COMMIT')
      return result
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw err
    } finally {
      client.release()
    }
  }

  /** NOTIFY outside any transaction (a signal to the other instances). */
  async notify(channel: string, payload: string): Promise<void> {
    await this.pool.query({ text: 'SELECT pg_notify($1, $2)', values: [channel, payload] })
  }

  async execScript(text: string): Promise<void> {
    // One connection: a script that fails inside its own BEGIN is rolled back there, not left aborted in the pool.
    const client = await this.pool.connect()
    try {
      await client.query(text)
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw err
    } finally {
      client.release()
    }
  }

  async raw<R = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<R[]> {
    return (await this.query<R>(this.pool, numberPlaceholders(text), params)).rows
  }

  /** EXPLAIN cannot take bound parameters, so the values are written in as literals (tests and tooling only). */
  async explain(text: string, params: unknown[] = []): Promise<string[]> {
    const literal = (v: unknown) =>
      v === null || v === undefined ? 'NULL' : typeof v === 'number' || typeof v === 'bigint' ? String(v) : `'${String(v).replace(/'/g, "''")}'`
    const inlined = numberPlaceholders(text).replace(/\$(\d+)/g, (_, n: string) => literal(params[Number(n) - 1]))
    const result = await this.pool.query(`EXPLAIN ${inlined}`)
    return (result.rows as { 'QUERY PLAN': string }[]).map((r) => r['QUERY PLAN'])
  }

  executedSql(): string[] {
    return [...this.seen]
  }

  async close(): Promise<void> {
    await this.pool.end()
  }
}
