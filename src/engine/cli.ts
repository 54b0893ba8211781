// `caravel engine`: run the relay engine alone (default `serve`, configured by ENGINE_* variables), or export,
// import and purge one relay's data in a data dir. Data commands are meant for a stopped engine.
import fs from 'node:fs'
import readline from 'node:readline'
import { Command } from 'commander'
import { createLogger } from '../log.js'
import { initVerifier } from '../nostr/verify.js'
import { readEngineConfig } from './config.js'
import { Engine } from './engine.js'
import { startEngine } from './index.js'
import { formatImportSummary } from './transfer.js'

interface DataOptions {
  relay: string
  data?: string
}

function dataDirOf(opts: DataOptions): string {
  return opts.data ?? readEngineConfig(process.env, 'standalone').dataDir
}

/** Opens the data dir without serving anything, runs `fn`, closes. */
async function withEngineData<T>(opts: DataOptions, fn: (engine: Engine) => Promise<T> | T): Promise<T> {
  const engine = new Engine(dataDirOf(opts), '', createLogger({ level: 'warn' }))
  try {
    return await fn(engine)
  } finally {
    engine.close()
  }
}

/** Writes all of `data`, waiting briefly when a non-blocking pipe (stdout) is full. */
function writeAllSync(fd: number, data: string): void {
  let buf = Buffer.from(data, 'utf8')
  while (buf.length > 0) {
    try {
      buf = buf.subarray(fs.writeSync(fd, buf))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5)
    }
  }
}

/** Buffers lines and writes them synchronously to a file descriptor. */
function lineWriter(fd: number): { write: (line: string) => void; end: () => void } {
  let buffer: string[] = []
  let size = 0
  const flush = () => {
    if (buffer.length === 0) return
    writeAllSync(fd, buffer.join(''))
    buffer = []
    size = 0
  }
  return {
    write(line) {
      buffer.push(line, '\n')
      size += line.length + 1
      if (size > 1 << 20) flush()
    },
    end: flush,
  }
}

export function engineCommand(): Command {
  const engine = new Command('engine').description("the multi-tenant Nostr relay engine: serve it alone, or export/import/purge one relay's data")

  engine
    .command('serve', { isDefault: true })
    .description('serve relays and the management API (ENGINE_PORT, ENGINE_API_HOST, ENGINE_API_WHITELIST, ENGINE_DATA_DIR)')
    .action(async () => {
      const log = createLogger()
      const config = readEngineConfig(process.env, 'standalone')
      const handle = await startEngine({ ...config, logger: log })
      const stop = (signal: string) => {
        log.info({ signal }, 'relay engine stopping')
        handle.close().then(
          () => process.exit(0),
          (err: unknown) => {
            log.error({ err }, 'relay engine did not stop cleanly')
            process.exit(1)
          },
        )
      }
      process.once('SIGINT', () => stop('SIGINT'))
      process.once('SIGTERM', () => stop('SIGTERM'))
    })

  engine
    .command('export')
    .description("write one relay's events as JSONL (created_at ascending, then id)")
    .requiredOption('--relay <id>', 'relay id')
    .option('--out <file>', 'output file (default: standard output)')
    .option('--data <dir>', 'data directory (default: ENGINE_DATA_DIR)')
    .action(async (opts: DataOptions & { out?: string }) => {
      await withEngineData(opts, (e) => {
        const fd = opts.out ? fs.openSync(opts.out, 'w', 0o600) : 1
        const out = lineWriter(fd)
        try {
          const n = e.exportRelay(opts.relay, out.write)
          out.end()
          process.stderr.write(`exported ${n} events from relay ${opts.relay}\n`)
        } finally {
          if (opts.out) fs.closeSync(fd)
        }
      })
    })

  engine
    .command('import')
    .description('read JSONL events into one relay (every line verified; bad lines reported, not fatal)')
    .requiredOption('--relay <id>', 'relay id')
    .option('--in <file>', 'input file (default: standard input)')
    .option('--reset', "remove the relay's existing events first")
    .option('--data <dir>', 'data directory (default: ENGINE_DATA_DIR)')
    .action(async (opts: DataOptions & { in?: string; reset?: boolean }) => {
      await initVerifier()
      const input = opts.in ? fs.createReadStream(opts.in) : process.stdin
      const lines = readline.createInterface({ input, crlfDelay: Infinity })
      const summary = await withEngineData(opts, (e) => e.importRelay(opts.relay, lines, { reset: opts.reset === true }))
      process.stdout.write(`relay ${opts.relay}: ${formatImportSummary(summary)}\n`)
      for (const r of summary.refused.slice(0, 100)) process.stdout.write(`  line ${r.line}: ${r.reason}\n`)
    })

  engine
    .command('purge')
    .description("delete one relay's data (its database file)")
    .requiredOption('--relay <id>', 'relay id')
    .option('--data <dir>', 'data directory (default: ENGINE_DATA_DIR)')
    .action(async (opts: DataOptions) => {
      await withEngineData(opts, (e) => e.purgeRelay(opts.relay))
      process.stdout.write(`purged relay ${opts.relay}\n`)
    })

  return engine
}
