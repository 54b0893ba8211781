// `caravel engine` as a process: standalone serve from ENGINE_* variables, clean stop on SIGTERM/SIGINT,
// one-line errors for bad variables.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { getPublicKey, generateSecretKey } from 'nostr-tools/pure'
import { httpRequest, tempDir } from './helpers.js'

const script = fileURLToPath(new URL('./fixtures/engine-cli.ts', import.meta.url))

function run(env: Record<string, string>, args: string[] = []) {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const started = new Promise<{ port: number }>((resolve, reject) => {
    child.stdout.on('data', () => {
      const line = stdout.split('\n').find((l) => l.includes('relay engine started'))
      if (line) resolve(JSON.parse(line) as { port: number })
    })
    void exited.then((code) => reject(new Error(`exited ${code}: ${stderr}`)))
  })
  started.catch(() => {}) // awaited only by tests that expect a start
  return { child, started, exited, output: () => ({ stdout, stderr }) }
}

describe('caravel engine (serve)', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('serves standalone from the environment, logs JSON and stops cleanly on %s', async (signal) => {
    const robot = getPublicKey(generateSecretKey())
    const proc = run({ ENGINE_PORT: '0', ENGINE_API_HOST: 'api.localhost', ENGINE_API_WHITELIST: robot, ENGINE_DATA_DIR: tempDir() })
    const { port } = await proc.started
    expect(port).toBeGreaterThan(0)
    // the API answers on its host (401 without a token), an unknown host 404s
    expect((await httpRequest(port, { host: 'api.localhost', path: '/relay/x/members' })).status).toBe(401)
    expect((await httpRequest(port, { host: 'nobody.localhost' })).status).toBe(404)
    proc.child.kill(signal)
    expect(await proc.exited).toBe(0)
    expect(proc.output().stdout).toContain('relay engine stopping')
  })

  it('zooid variable names are read as fallbacks', async () => {
    const robot = getPublicKey(generateSecretKey())
    const proc = run({ PORT: '0', API_HOST: 'api.localhost', API_WHITELIST: robot, DATA: tempDir() })
    const { port } = await proc.started
    expect((await httpRequest(port, { host: 'api.localhost', path: '/relay/x/members' })).status).toBe(401)
    proc.child.kill('SIGTERM')
    expect(await proc.exited).toBe(0)
  })

  it('a bad variable aborts start-up with one line naming it', async () => {
    const proc = run({ ENGINE_PORT: '0', ENGINE_API_WHITELIST: 'not-a-key', ENGINE_DATA_DIR: tempDir() })
    expect(await proc.exited).toBe(1)
    const lines = proc.output().stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^ENGINE_API_WHITELIST /)
  })
})
