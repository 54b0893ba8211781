// Regenerates the README's configuration tables from the config schemas: `npx tsx scripts/config-table.ts`.
import { readFileSync, writeFileSync } from 'node:fs'
import { configTableMarkdown, engineTableMarkdown } from '../src/config.js'
import { ENGINE_VARIABLES } from '../src/engine/config.js'

const file = new URL('../README.md', import.meta.url)
const readme = readFileSync(file, 'utf8')
const block = (text: string, name: string, table: string) =>
  text.replace(new RegExp(`<!-- ${name}:start -->[\\s\\S]*?<!-- ${name}:end -->`), `<!-- ${name}:start -->\n${table}\n<!-- ${name}:end -->`)
const next = block(block(readme, 'config-table', configTableMarkdown()), 'engine-table', engineTableMarkdown(ENGINE_VARIABLES))
writeFileSync(file, next)
process.stdout.write(next === readme ? 'README.md is up to date\n' : 'README.md configuration tables updated\n')
