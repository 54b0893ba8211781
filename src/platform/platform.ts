// The domain, assembled: database, reads, writes, the activity bus and the deployment's identity.
import type { Logger } from 'pino'
import { ConfigError, type Config } from '../config.js'
import type { Database } from '../db/database.js'
import type { RelayRow } from '../db/schema.js'
import { openDatabase } from '../db/open.js'
import { migrate } from '../db/migrate.js'
import type { EngineClient } from '../sync/engine-client.js'
import { Engines, type EngineNode } from '../sync/engines.js'
import type { RelayManagementClient } from '../sync/relay-management.js'
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
  /** The first configured engine's management API client (the only engine unless ZOOID_API_URL names several). */
  engine: EngineClient
  /** NIP-86 on relays of the first engine, as the robot (an admin of every relay). */
  management: RelayManagementClient
  /** Every configured engine, by name. */
  engines: Engines
  /** The engine serving this relay (its stored placement): every engine call for the relay goes there. */
  engineFor(relay: Pick<RelayRow, 'engine'>): EngineNode
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
  const engines = new Engines(config.engine.engines, { sign: robot.sign, timeoutMs: config.engine.timeoutMs })
  const commands = new Commands(db, bus, plans, box, engines.names)
  await checkPlacements(queries, commands, engines)
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
    engine: engines.first.client,
    management: engines.first.management,
    engines,
    engineFor: (relay) => engines.forRelay(relay),
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

/**
 * Relays written before placement existed go to the first engine. A relay placed on an engine that is not
 * configured would be silently unreachable, so that stops start-up instead.
 */
async function checkPlacements(queries: Queries, commands: Commands, engines: Engines): Promise<void> {
  await commands.placeUnplacedRelays()
  const unknown = await queries.listUnknownPlacements(engines.names)
  if (unknown.length > 0) {
    const names = unknown.map((n) => `"${n}"`).join(', ')
    throw new ConfigError('ZOOID_API_URL', `relays are placed on engine ${names}, which it does not list; list every engine that holds relays (name=url)`)
  }
}
