// With CARAVEL_TEST_DATABASE=postgres the whole suite runs against one throwaway PostgreSQL cluster.
import { startPostgres, type TestPostgres } from './helpers/postgres.js'

let cluster: TestPostgres | undefined

export async function setup(): Promise<void> {
  if (process.env.CARAVEL_TEST_DATABASE !== 'postgres') return
  cluster = await startPostgres()
  process.env.CARAVEL_TEST_POSTGRES_URL = cluster.url
}

export function teardown(): void {
  cluster?.stop()
}
