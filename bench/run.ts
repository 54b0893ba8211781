// `npm run bench [-- --scale <fraction>] [-- --only <part>]`: runs the benchmarks and prints their tables.
import { availableParallelism, loadavg } from 'node:os'
import { parseArgs } from 'node:util'

// Each part prints its own tables and answers whether it met its targets. Loaded only when it runs, so one part's
// imports never stand in the way of another.
// `alone`: run only when named with --only (a piece of a part that runs anyway).
const PARTS: Record<string, { name: string; alone?: true; run(scale: number): Promise<boolean> }> = {
  'hot-paths': { name: 'hot paths', run: async (scale) => (await import('./hot-paths.js')).runHotPaths(scale) },
  api: { name: 'api throughput', run: async () => (await import('./api.js')).runApi() },
  engine: { name: 'relay engine', run: async (scale) => (await import('./engine.js')).runEngine(scale) },
  provisioning: { name: 'provisioning', run: async (scale) => (await import('./provisioning.js')).runProvisioning(scale) },
  webhooks: { name: 'webhooks', run: async (scale) => (await import('./webhooks.js')).runWebhooks(scale) },
  postgres: { name: 'postgres', run: async (scale) => (await import('./postgres.js')).runPostgres(scale) },
  'postgres-hot-paths': { name: 'postgres hot paths', alone: true, run: async (scale) => (await import('./postgres.js')).runPostgres(scale, { hotPaths: true }) },
  'postgres-api': { name: 'postgres api', alone: true, run: async (scale) => (await import('./postgres.js')).runPostgres(scale, { api: true }) },
}

const { values } = parseArgs({
  options: { scale: { type: 'string', default: '1' }, only: { type: 'string' } },
  strict: true,
})
const scale = Number(values.scale)
if (!(scale > 0 && scale <= 1)) throw new Error(`--scale must be a fraction in (0, 1], got "${values.scale}"`)
if (values.only !== undefined && !(values.only in PARTS)) {
  throw new Error(`--only must be one of ${Object.keys(PARTS).join(', ')}, got "${values.only}"`)
}

const args = process.argv.slice(2)
console.log(`command: npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`)
// Other work on the machine skews the figures (the API part most): say how busy it was.
const load = () => `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${availableParallelism()} CPUs`
console.log(`date: ${new Date().toISOString()}  node ${process.version}  ${process.platform}/${process.arch}  ${load()}`)
const results: Record<string, boolean> = {}
for (const [key, part] of Object.entries(PARTS)) {
  if ((values.only === undefined && !part.alone) || values.only === key) results[part.name] = await part.run(scale)
}
console.log(`\nat the end: ${load()}`)
console.log(`${Object.entries(results).map(([name, pass]) => `${name}: ${pass ? 'PASS' : 'FAIL'}`).join('   ')}`)
