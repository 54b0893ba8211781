// The domain, assembled: database, reads, writes, the activity bus and the deployment's identity.
import type { Logger } from 'pino'
import type { Config } from '../config.js'
import { Database } from '../db/database.js'
import { migrate } from '../db/migrate.js'
import { loadRobotIdentity, type RobotIdentity } from '../robot/identity.js'
import { ActivityBus } from './activity-bus.js'
import { Commands } from './commands.js'
import { Plans } from './plans.js'
import { Queries } from './queries.js'
import { SecretBox } from './secret-box.js'

export interface Platform {
  config: Config
  log: Logger
  db: Database
  queries: Queries
  commands: Commands
  bus: ActivityBus
  plans: Plans
  robot: RobotIdentity
  box: SecretBox
  isAdmin(pubkey: string): Promise<boolean>
  close(): Promise<void>
}

export function openPlatform(config: Config, log: Logger): Platform {
  const db = new Database(config.databasePath)
  migrate(db)
  const robot = loadRobotIdentity({ secret: config.robotSecret, dataDir: config.dataDir })
  const box = new SecretBox(robot.secretKeyHex)
  const plans = new Plans()
  const bus = new ActivityBus((err, activity) => log.error({ err, activity: activity.id }, 'activity listener failed'))
  const queries = new Queries(db)
  const commands = new Commands(db, bus, plans, box)
  const envAdmins = new Set(config.server.adminPubkeys)
  const isAdminStmt = db.preparedOne<[string], { pubkey: string }>((q, p) =>
    q.selectFrom('admin').select('pubkey').where('pubkey', '=', p(0)),
  )
  return {
    config,
    log,
    db,
    queries,
    commands,
    bus,
    plans,
    robot,
    box,
    // The env list is fixed at start-up; `caravel admin add` writes the table, which is read per request so
    // a running server sees the change at once.
    isAdmin: async (pubkey) => envAdmins.has(pubkey) || (await isAdminStmt(pubkey)) !== undefined,
    close: () => db.close(),
  }
}
