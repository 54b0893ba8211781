#!/usr/bin/env node
// One entry point: `caravel serve | migrate | admin …` (and the relay engine alone: `caravel engine …`).
import { execSync } from 'node:child_process'
import { Command } from 'commander'
import { ConfigError, loadConfig, type Config } from './config.js'
import { migrate } from './db/migrate.js'
import { openDatabase } from './db/open.js'
import { engineCommand } from './engine/cli.js'
import { createLogger } from './log.js'
import { parsePubkey } from './nostr/pubkey.js'
import { openPlatform, type Platform } from './platform/platform.js'
import { startServer } from './server.js'
import { renderEngineMap, writeIfChanged, type Placement } from './sync/engine-map.js'

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
    .description('print (or keep writing) the reverse-proxy map routing each relay host to the engine it is placed on')
    .option('--format <format>', 'nginx or caddy', 'nginx')
    .option('--out <file>', 'write the map to this file (atomically, only when it changed) instead of printing it')
    .option('--watch <seconds>', 'with --out: look again every so many seconds until stopped')
    .option('--reload <command>', 'with --out: a shell command run after the file changed (e.g. "nginx -s reload")')
    .action((options: { format: string; out?: string; watch?: string; reload?: string }) =>
      withPlatform(async (p) => {
        if (options.format !== 'nginx' && options.format !== 'caddy') {
          process.stderr.write(`caravel: --format must be nginx or caddy, got "${options.format}"\n`)
          process.exit(2)
        }
        const every = options.watch === undefined ? undefined : Number(options.watch)
        if (every !== undefined && !(Number.isFinite(every) && every >= 1)) {
          process.stderr.write(`caravel: --watch must be a number of seconds (1 or more), got "${options.watch}"\n`)
          process.exit(2)
        }
        if ((every !== undefined || options.reload !== undefined) && options.out === undefined) {
          process.stderr.write('caravel: --watch and --reload need --out <file>\n')
          process.exit(2)
        }
        const format = options.format
        const render = async () => {
          const placements: Placement[] = []
          for (let after = ''; ; ) {
            const page = await p.queries.listRelayPlacements(after, 1000)
            if (page.length === 0) break
            placements.push(...page)
            after = page[page.length - 1]!.subdomain
          }
          return renderEngineMap(format, p.config.relayDomain, p.config.engine.engines, placements)
        }
        if (options.out === undefined) {
          process.stdout.write(await render())
          return
        }
        const out = options.out
        const once = async () => {
          if (!writeIfChanged(out, await render())) return
          process.stdout.write(`caravel: wrote ${out}\n`)
          if (options.reload !== undefined) execSync(options.reload, { stdio: 'inherit' })
        }
        await once()
        if (every === undefined) return
        let stopping = false
        const stop = () => {
          stopping = true
        }
        process.once('SIGINT', stop)
        process.once('SIGTERM', stop)
        while (!stopping) {
          await new Promise((resolve) => setTimeout(resolve, every * 1000))
          if (!stopping) await once().catch((err: unknown) => process.stderr.write(`caravel: engine map not updated: ${(err as Error).message}\n`))
        }
      }),
    )

  program.addCommand(engineCommand())

  return program
}

await buildProgram().parseAsync(process.argv)
