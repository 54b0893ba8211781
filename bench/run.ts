// `npm run bench [-- --scale <fraction>] [-- --only <part>]`: runs the benchmarks and prints their tables.
import { availableParallelism, loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { runApi } from './api.js'
import { runEngine } from './engine.js'
import { runHotPaths } from './hot-paths.js'
import { runProvisioning } from './provisioning.js'
import { runWebhooks } from './webhooks.js'

// Each part prints its own tables and answers whether it met its targets.
const PARTS: Record<string, { name: string; run(scale: number): Promise<boolean> }> = {
  'hot-paths': { name: 'hot paths', run: runHotPaths },
  api: { name: 'api throughput', run: () => runApi() },
  engine: { name: 'relay engine', run: runEngine },
  provisioning: { name: 'provisioning', run: runProvisioning },
  webhooks: { name: 'webhooks', run: runWebhooks },
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
  if (values.only === undefined || values.only === key) results[part.name] = await part.run(scale)
}
console.log(`\nat the end: ${load()}`)
console.log(`${Object.entries(results).map(([name, pass]) => `${name}: ${pass ? 'PASS' : 'FAIL'}`).join('   ')}`)
