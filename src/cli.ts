#!/usr/bin/env node
// One entry point: `caravel serve | migrate | admin …` (and the relay engine alone: `caravel engine …`).
import { Command } from 'commander'
import { ConfigError, loadConfig, type Config } from './config.js'
import { migrate } from './db/migrate.js'
import { openDatabase } from './db/open.js'
import { engineCommand } from './engine/cli.js'
import { createLogger } from './log.js'
import { parsePubkey } from './nostr/pubkey.js'
import { openPlatform, type Platform } from './platform/platform.js'
import { startServer } from './server.js'
import { renderEngineMap, type Placement } from './sync/engine-map.js'

function configOrExit(): Config {
  try {
    return loadConfig()
  } catch (err) {
    return exitOnConfigError(err)
  }
}

/** Start-up checks beyond the environment (engine placements) fail with the same one line. */
function exitOnConfigError(err: unknown): never {
  if (err instanceof ConfigError) {
    process.stderr.write(`caravel: configuration error: ${err.message}\n`)
    process.exit(2)
  }
  throw err
}

function pubkeyOrExit(input: string): string {
  const parsed = parsePubkey(input)
  if (!parsed.ok) {
    process.stderr.write(parsed.code === 'nsec-not-allowed' ? 'caravel: that is a secret key (nsec); give the npub or hex pubkey\n' : `caravel: not a hex or npub pubkey: ${input}\n`)
    process.exit(2)
  }
  return parsed.pubkey
}

export function buildProgram(): Command {
  const program = new Command('caravel').description('Hosting for Nostr community relays')

  program
    .command('serve', { isDefault: true })
    .description('serve the API, the dashboard and the embedded relay engine')
    .action(async () => {
      const config = configOrExit()
      const log = createLogger({ level: config.logLevel })
      const server = await startServer(config, log).catch(exitOnConfigError)
      const stop = async () => {
        log.info('shutting down')
        await server.close()
        process.exit(0)
      }
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })

  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(async () => {
      const config = configOrExit()
      const db = openDatabase(config.database)
      try {
        const applied = await migrate(db)
        process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n')
      } finally {
        await db.close()
      }
    })

  const admin = program.command('admin').description('manage operator admins (kept in the database, merged with SERVER_ADMIN_PUBKEYS)')
  const withPlatform = async (fn: (p: Platform) => Promise<void>) => {
    const config = configOrExit()
    const platform = await openPlatform(config, createLogger({ level: 'warn' })).catch(exitOnConfigError)
    try {
      await fn(platform)
    } finally {
      await platform.close()
    }
  }
  admin
    .command('add <pubkey>')
    .description('make a pubkey (hex or npub) an admin')
    .action((input: string) =>
      withPlatform(async (p) => {
        const pubkey = pubkeyOrExit(input)
        process.stdout.write((await p.commands.addAdmin(pubkey)) ? `added ${pubkey}\n` : `${pubkey} is already an admin\n`)
      }),
    )
  admin
    .command('remove <pubkey>')
    .description('remove an admin added with `admin add`')
    .action((input: string) =>
      withPlatform(async (p) => {
        const pubkey = pubkeyOrExit(input)
        const removed = await p.commands.removeAdmin(pubkey)
        const fromEnv = p.config.server.adminPubkeys.includes(pubkey)
        process.stdout.write(
          removed ? `removed ${pubkey}\n` : `${pubkey} was not added with \`admin add\`\n`,
        )
        if (fromEnv) process.stdout.write(`note: ${pubkey} is still an admin through SERVER_ADMIN_PUBKEYS\n`)
      }),
    )
  admin
    .command('list')
    .description('list admins (database and SERVER_ADMIN_PUBKEYS)')
    .action(() =>
      withPlatform(async (p) => {
        const stored = await p.queries.listAdmins()
        for (const pubkey of stored) process.stdout.write(`${pubkey}\tdatabase\n`)
        for (const pubkey of p.config.server.adminPubkeys) process.stdout.write(`${pubkey}\tSERVER_ADMIN_PUBKEYS\n`)
      }),
    )

  admin
    .command('engine-map')
    .description('print the reverse-proxy map routing each relay host to the engine it is placed on')
    .option('--format <format>', 'nginx or caddy', 'nginx')
    .action((options: { format: string }) =>
      withPlatform(async (p) => {
        if (options.format !== 'nginx' && options.format !== 'caddy') {
          process.stderr.write(`caravel: --format must be nginx or caddy, got "${options.format}"\n`)
          process.exit(2)
        }
        const placements: Placement[] = []
        for (let after = ''; ; ) {
          const page = await p.queries.listRelayPlacements(after, 1000)
          if (page.length === 0) break
          placements.push(...page)
          after = page[page.length - 1]!.subdomain
        }
        process.stdout.write(renderEngineMap(options.format, p.config.relayDomain, p.config.engine.engines, placements))
      }),
    )

  program.addCommand(engineCommand())

  return program
}

await buildProgram().parseAsync(process.argv)
