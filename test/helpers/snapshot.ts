import type { Database } from '../../src/db/database.js'

/** Every row of every domain table, in a stable order: equal snapshots mean nothing changed. */
export function snapshot(db: Database): string {
  const tables = ['tenant', 'relay', 'activity', 'session', 'stripe_event', 'invoice_nwc_payment', 'admin']
  return JSON.stringify(tables.map((t) => db.rawReader.prepare(`SELECT * FROM ${t} ORDER BY 1`).all()))
}
