// Which database the tests run on. By default each platform gets its own SQLite file in its data directory;
// with CARAVEL_TEST_DATABASE=postgres, the global setup starts one throwaway PostgreSQL cluster and every
// platform gets a fresh database on it (through DATABASE_URL).
import { randomBytes } from 'node:crypto'
import pg from 'pg'

export async function testDatabaseEnv(): Promise<Record<string, string>> {
  const cluster = process.env.CARAVEL_TEST_POSTGRES_URL
  if (!cluster) return {}
  const name = `caravel_${randomBytes(6).toString('hex')}`
  const client = new pg.Client({ connectionString: cluster })
  await client.connect()
  try {
    await client.query(`CREATE DATABASE ${name}`)
  } finally {
    await client.end()
  }
  const url = new URL(cluster)
  url.pathname = `/${name}`
  return { DATABASE_URL: url.toString() }
}
