// A platform for robot tests: temporary data dir, real database, and logs captured as JSON lines (so tests can
// grep them for secrets). Relays are real WebSocket relays on 127.0.0.1 (test/helpers/dm-relay.ts).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { loadConfig } from '../../src/config.js'
import { createLogger } from '../../src/log.js'
import { openPlatform, type Platform } from '../../src/platform/platform.js'
import { freePort } from '../helpers/ports.js'
import { testDatabaseEnv } from '../helpers/test-database.js'

export interface RobotHarness {
  platform: Platform
  dataDir: string
  /** Every log line written so far. */
  logs: string[]
  /** Opens the same data dir again, as after a restart (optionally with other settings). */
  reopen(env?: Record<string, string>): Promise<Platform>
  close(): Promise<void>
}

export async function robotHarness(env: Record<string, string>, dataDir = mkdtempSync(join(tmpdir(), 'caravel-robot-'))): Promise<RobotHarness> {
  const logs: string[] = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(...chunk.toString().split('\n').filter(Boolean))
      done()
    },
  })
  const log = createLogger({ level: 'debug', destination: sink })
  const enginePort = String(await freePort())
  const dbEnv = await testDatabaseEnv()
  const open = (extra: Record<string, string> = {}) =>
    openPlatform(loadConfig({ ...dbEnv, DATA_DIR: dataDir, ENGINE_PORT: enginePort, SERVER_URL: 'http://localhost:2892', APP_URL: 'https://app.caravel.example', ...env, ...extra }), log)
  const platforms = [await open()]
  return {
    platform: platforms[0]!,
    dataDir,
    logs,
    reopen: async (extra) => {
      await platforms[platforms.length - 1]!.close()
      platforms.push(await open(extra))
      return platforms[platforms.length - 1]!
    },
    close: async () => {
      await platforms[platforms.length - 1]!.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** A Nostr user with a secret key, who can sign their lists. */
export class NostrUser {
  readonly sk = generateSecretKey()
  readonly pubkey = getPublicKey(this.sk)

  relayList(entries: [url: string, marker?: 'read' | 'write'][], created_at = Math.floor(Date.now() / 1000) - 100) {
    return finalizeEvent({ kind: 10002, created_at, content: '', tags: entries.map(([url, marker]) => (marker ? ['r', url, marker] : ['r', url])) }, this.sk)
  }

  dmRelays(urls: string[], created_at = Math.floor(Date.now() / 1000) - 100) {
    return finalizeEvent({ kind: 10050, created_at, content: '', tags: urls.map((url) => ['relay', url]) }, this.sk)
  }
}
