// Regenerates the README's configuration table from the config schema: `npx tsx scripts/config-table.ts`.
import { readFileSync, writeFileSync } from 'node:fs'
import { configTableMarkdown } from '../src/config.js'

const file = new URL('../README.md', import.meta.url)
const readme = readFileSync(file, 'utf8')
const next = readme.replace(
  /<!-- config-table:start -->\n[\s\S]*?\n<!-- config-table:end -->/,
  `<!-- config-table:start -->\n${configTableMarkdown()}\n<!-- config-table:end -->`,
)
writeFileSync(file, next)
process.stdout.write(next === readme ? 'README.md is up to date\n' : 'README.md configuration table updated\n')
