// Prints the README's configuration table from the config schema: `npx tsx scripts/config-table.ts`.
import { configTableMarkdown } from '../src/config.js'

process.stdout.write(`${configTableMarkdown()}\n`)
