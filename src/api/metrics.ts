// Prometheus metrics: request counts and latencies by route (the registered pattern, never the raw path,
// so label cardinality stays bounded) and status.
import type { MiddlewareHandler } from 'hono'
import { matchedRoutes } from 'hono/route'
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client'

export class ApiMetrics {
  readonly registry = new Registry()
  private readonly requests: Counter<'method' | 'route' | 'status'>
  private readonly duration: Histogram<'method' | 'route' | 'status'>

  constructor(options: { processMetrics?: boolean } = {}) {
    this.requests = new Counter({
      name: 'caravel_http_requests_total',
      help: 'HTTP requests by method, route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    })
    this.duration = new Histogram({
      name: 'caravel_http_request_duration_seconds',
      help: 'HTTP request latency by method, route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    })
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'caravel_' })
  }

  // Label children bound once per (method, route, status): prom-client hashes label objects on every call.
  private readonly children = new Map<string, { count: { inc(): void }; time: { observe(v: number): void } }>()

  middleware(): MiddlewareHandler {
    return async (c, next) => {
      const start = performance.now()
      await next()
      const handlers = matchedRoutes(c).filter((r) => r.method !== 'ALL')
      const route = handlers.length > 0 ? handlers[handlers.length - 1]!.path : 'unmatched'
      const key = `${c.req.method} ${route} ${c.res.status}`
      let child = this.children.get(key)
      if (!child) {
        const labels = { method: c.req.method, route, status: String(c.res.status) }
        child = { count: this.requests.labels(labels), time: this.duration.labels(labels) }
        this.children.set(key, child)
      }
      child.count.inc()
      child.time.observe((performance.now() - start) / 1000)
    }
  }

  text(): Promise<string> {
    return this.registry.metrics()
  }
}
