// Serves the built dashboard (dist/web, from `vite build web`) at `/`: hashed assets with a long cache, and
// index.html for any other page path so the app routes in the browser. The API, health, readiness and
// metrics paths pass through untouched (an unknown /api path stays the API's JSON 404).
import { existsSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, extname, join, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { MiddlewareHandler } from 'hono'

/** The folder holding package.json, found upwards from this module (src/api or dist/api), never the cwd. */
export function packageRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir)
    if (up === dir) throw new Error(`no package.json above ${from}`)
    dir = up
  }
  return dir
}

export const DASHBOARD_DIR = join(packageRoot(), 'dist', 'web')

const NOT_THE_DASHBOARD = /^\/(api|healthz|readyz|metrics)(\/|$)/

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
}

/** A file inside `root` for a URL path, or undefined (missing, a folder, or an escape attempt). */
function fileFor(root: string, urlPath: string): string | undefined {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return undefined
  }
  if (decoded.includes('\0')) return undefined
  const file = resolve(root, `.${decoded}`)
  if (!file.startsWith(root + sep)) return undefined
  try {
    return statSync(file).isFile() ? file : undefined
  } catch {
    return undefined
  }
}

export function dashboard(dir = DASHBOARD_DIR): MiddlewareHandler {
  const root = resolve(dir)
  return async (c, next) => {
    if ((c.req.method !== 'GET' && c.req.method !== 'HEAD') || NOT_THE_DASHBOARD.test(c.req.path)) return next()
    const file = fileFor(root, c.req.path)
    if (file) {
      const immutable = c.req.path.startsWith('/assets/')
      return c.body(await readFile(file), 200, {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      })
    }
    // A missing asset is a 404, not the app; a page path is the app.
    if (c.req.path.startsWith('/assets/') || extname(c.req.path) !== '') return next()
    const index = join(root, 'index.html')
    if (!existsSync(index)) return next()
    return c.body(await readFile(index), 200, { 'Content-Type': TYPES['.html']!, 'Cache-Control': 'no-cache' })
  }
}
