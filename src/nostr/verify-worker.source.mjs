// Entry of the NIP-98 verification threads when Caravel runs from source (tsx, vitest): on Node 20 a worker's
// modules load before an inherited `--import tsx` hooks them, so register tsx here, then load the worker.
import { register } from 'tsx/esm/api'

register()
export default (await import('./verify-worker.ts')).default
