import type { NextFunction, Request, Response } from 'express';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry, register } from 'prom-client';
import type { Daybook } from '../../application/daybook.js';

/**
 * Prometheus metrics: process defaults, HTTP latency by route, each read model's position and lag, parked
 * events and runner failures.
 */
export function createMetrics(daybook: Daybook) {
  const registry = new Registry();
  // While the database is away the projection gauges are left empty: the scrape still answers, with
  // the counters that tell what is going on (defects, dependency errors).
  const projectionStatus = () => daybook.projectionStatus().catch(() => []);
  const parkedCounts = () => daybook.parkedEvents.counts().catch(() => ({}));
  collectDefaultMetrics({ register: registry });
  const http = new Histogram({
    name: 'daybook_http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  new Gauge({
    name: 'daybook_projection_lag_events',
    help: 'Events between a projection generation and the head of the log',
    labelNames: ['projection', 'generation', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const p of await projectionStatus()) {
        this.set({ projection: p.name, generation: String(p.generation), status: p.status }, p.lag);
      }
    },
  });
  new Gauge({
    name: 'daybook_projection_events_applied',
    help: 'Events a projection generation has applied',
    labelNames: ['projection', 'generation', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const p of await projectionStatus()) {
        this.set({ projection: p.name, generation: String(p.generation), status: p.status }, p.eventsApplied);
      }
    },
  });
  new Gauge({
    name: 'daybook_parked_events',
    help: 'Events a projection or the reactions could not handle, set aside until retried',
    labelNames: ['consumer'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [consumer, n] of Object.entries(await parkedCounts())) this.set({ consumer }, n);
    },
  });
  new Counter({
    name: 'daybook_runner_failures_total',
    help: "Failures of this process's projection and reaction runners: event (parked), unavailable (paused), other",
    labelNames: ['consumer', 'kind'],
    registers: [registry],
    collect() {
      // The runners keep the counts; a counter is set to their running total at each scrape.
      this.reset();
      for (const f of daybook.parkedEvents.runnerFailures())
        this.inc({ consumer: f.consumer, kind: f.kind }, f.count);
    },
  });

  return {
    middleware: (req: Request, res: Response, next: NextFunction) => {
      const end = http.startTimer();
      res.on('finish', () => {
        // The matched route pattern, never the raw path: ids must not become label values.
        const route = req.route?.path ? `${req.baseUrl}${req.route.path}` : 'unmatched';
        end({ method: req.method, route, status: String(res.statusCode) });
      });
      next();
    },
    handler: async (_req: Request, res: Response) => {
      // Plus the process-wide counters (defects, dependency errors) kept in prom-client's default registry.
      const all = Registry.merge([registry, register]);
      res.type(all.contentType).send(await all.metrics());
    },
  };
}
