// `npm run bench [-- --scale <fraction>] [-- --only hot-paths|api]`: runs the benchmarks and prints their tables.
import { availableParallelism, loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { runApi } from './api.js'
import { runHotPaths } from './hot-paths.js'

const { values } = parseArgs({
  options: { scale: { type: 'string', default: '1' }, only: { type: 'string' } },
  strict: true,
})
const scale = Number(values.scale)
if (!(scale > 0 && scale <= 1)) throw new Error(`--scale must be a fraction in (0, 1], got "${values.scale}"`)
if (values.only !== undefined && values.only !== 'hot-paths' && values.only !== 'api') {
  throw new Error(`--only must be hot-paths or api, got "${values.only}"`)
}

const args = process.argv.slice(2)
console.log(`command: npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`)
// Other work on the machine skews the figures (the API part most): say how busy it was.
const load = () => `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${availableParallelism()} CPUs`
console.log(`date: ${new Date().toISOString()}  node ${process.version}  ${process.platform}/${process.arch}  ${load()}`)
const results: Record<string, boolean> = {}
if (values.only !== 'api') results['hot paths'] = await runHotPaths(scale)
if (values.only !== 'hot-paths') results['api throughput'] = await runApi()
console.log(`\nat the end: ${load()}`)
console.log(`${Object.entries(results).map(([name, pass]) => `${name}: ${pass ? 'PASS' : 'FAIL'}`).join('   ')}`)
