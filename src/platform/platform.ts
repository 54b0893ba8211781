// The domain, assembled: database, reads, writes, the activity bus and the deployment's identity.
import type { Logger } from 'pino'
import type { Config } from '../config.js'
import type { Database } from '../db/database.js'
import { openDatabase } from '../db/open.js'
import { migrate } from '../db/migrate.js'
import { EngineClient } from '../sync/engine-client.js'
import { RelayManagementClient } from '../sync/relay-management.js'
import { loadRobotIdentity, type RobotIdentity } from '../robot/identity.js'
import { PostgresDatabase } from '../db/postgres.js'
import { instanceId, LeaseStore } from '../workers/lease.js'
import { ActivityBus } from './activity-bus.js'
import { ActivityFeed } from './activity-feed.js'
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
  /** The management API client of the engine (embedded or external). */
  engine: EngineClient
  /** NIP-86 on each relay's own host, as the robot (an admin of every relay). */
  management: RelayManagementClient
  isAdmin(pubkey: string): Promise<boolean>
  /** Operator admins: SERVER_ADMIN_PUBKEYS ∪ `caravel admin add`. */
  listAdmins(): Promise<string[]>
  /** This process among the instances sharing the database. */
  instance: string
  /** Worker leases held by this instance (`worker_lease`). */
  leases: LeaseStore
  /**
   * Starts hearing the other instances' activity and signals on the bus (PostgreSQL; nothing to do on SQLite).
   * Call it before starting workers.
   */
  joinCluster(): Promise<void>
  close(): Promise<void>
}

export async function openPlatform(config: Config, log: Logger): Promise<Platform> {
  const db = openDatabase(config.database)
  await migrate(db)
  const robot = loadRobotIdentity({ secret: config.robotSecret, dataDir: config.dataDir })
  const box = new SecretBox(robot.secretKeyHex)
  const plans = new Plans(config.stripe ? { basic: config.stripe.prices.basic, growth: config.stripe.prices.growth } : {})
  const bus = new ActivityBus((err, activity) => log.error({ err, activity: activity.id }, 'activity listener failed'))
  const queries = new Queries(db)
  const commands = new Commands(db, bus, plans, box)
  // A SQLite file has one instance by nature: a restarted process is the same holder and resumes every lease at once.
  const instance = db.kind === 'sqlite' ? 'sqlite' : instanceId()
  const feed = db instanceof PostgresDatabase ? new ActivityFeed(db, bus, log.child({ component: 'activity-feed' }), instance) : undefined
  let joined: Promise<void> | undefined
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
    engine: new EngineClient({ baseUrl: config.engine.apiUrl, sign: robot.sign, timeoutMs: config.engine.timeoutMs }),
    management: new RelayManagementClient({ engineUrl: config.engine.apiUrl, sign: robot.sign, timeoutMs: config.engine.timeoutMs }),
    listAdmins: async () => [...new Set([...envAdmins, ...(await queries.listAdmins())])].sort(),
    // The env list is fixed at start-up; `caravel admin add` writes the table, which is read per request so
    // a running server sees the change at once.
    isAdmin: async (pubkey) => envAdmins.has(pubkey) || (await isAdminStmt(pubkey)) !== undefined,
    instance,
    leases: new LeaseStore(db, instance),
    joinCluster: () => (joined ??= feed?.start() ?? Promise.resolve()),
    close: async () => {
      await feed?.close()
      await db.close()
    },
  }
}
