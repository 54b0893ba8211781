// The `caravel` command line, run as a real process.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { npubEncode } from 'nostr-tools/nip19'
import { afterAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const dataDir = mkdtempSync(join(tmpdir(), 'caravel-cli-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

async function caravel(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env },
    })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

describe('caravel CLI', () => {
  it('migrates once, then reports the database up to date', async () => {
    const first = await caravel(['migrate'])
    expect(first.stdout).toMatch(/applied: 0001_init\.sql, 0002_hot_path_indexes\.sql/)
    expect((await caravel(['migrate'])).stdout).toBe('database is up to date\n')
  })

  it('adds, lists and removes admins, persisted in the database and merged with the env list', async () => {
    const hex = 'ab'.repeat(32)
    const envAdmin = 'cd'.repeat(32)
    expect((await caravel(['admin', 'add', npubEncode(hex)])).stdout).toBe(`added ${hex}\n`)
    expect((await caravel(['admin', 'add', hex.toUpperCase()])).stdout).toBe(`${hex} is already an admin\n`)
    const list = await caravel(['admin', 'list'], { SERVER_ADMIN_PUBKEYS: envAdmin })
    expect(list.stdout).toBe(`${hex}\tdatabase\n${envAdmin}\tSERVER_ADMIN_PUBKEYS\n`)
    expect((await caravel(['admin', 'remove', hex])).stdout).toBe(`removed ${hex}\n`)
    expect((await caravel(['admin', 'list'])).stdout).toBe('')
  })

  it('refuses a secret key or garbage where a pubkey belongs', async () => {
    const nsec = await caravel(['admin', 'add', 'nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5'])
    expect(nsec.code).toBe(2)
    expect(nsec.stderr).toContain('secret key')
    expect(nsec.stderr).not.toContain('nsec1vl029')
    const junk = await caravel(['admin', 'add', 'bob'])
    expect(junk.code).toBe(2)
  })

  it('stops on a bad variable with one line naming it', async () => {
    const res = await caravel(['serve'], { SERVER_PORT: 'eighty' })
    expect(res.code).toBe(2)
    expect(res.stderr.trim().split('\n')).toEqual(['caravel: configuration error: SERVER_PORT: must be a port number between 1 and 65535, got "eighty"'])
  })
})
