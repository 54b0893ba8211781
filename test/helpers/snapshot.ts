import type { Database } from '../../src/db/database.js'

/** Every row of every domain table, in a stable order: equal snapshots mean nothing changed. */
export async function snapshot(db: Database): Promise<string> {
  const tables = ['tenant', 'relay', 'activity', 'session', 'stripe_event', 'invoice_nwc_payment', 'admin']
  return JSON.stringify(await Promise.all(tables.map((t) => db.raw(`SELECT * FROM ${t} ORDER BY 1`))))
}
