/**
 * The HTTP surface: `POST /api/messages` for the Bot Framework channel, `GET /healthz` (liveness:
 * the process answers) and `GET /readyz` (readiness: storage, jobs and the job runner answer; 503
 * while shutting down, so a load balancer takes the instance out of rotation). Counts the turns in
 * flight so a shutdown can stop accepting, let them finish, and only then close storage. Each POST is
 * one server span (activity type, channel, invoke name, status; never text or card data).
 */
import type { AddressInfo } from 'node:net';
import restify from 'restify';
import type { ActivityHandler, CloudAdapter } from 'botbuilder';
import type { Logger } from '../logger';
import { DEFAULT_PROBE_TIMEOUT_MS, oneAtATime, type ReadinessProbes, runReadinessProbes } from './readiness';
import { type Attributes, markFailed, SpanKind, withSpan } from '../telemetry/tracing';

export interface Health {
  status: 'ok';
  version: string;
  tenantMode: string;
  storage: string;
}

export interface HttpServerOptions {
  adapter: CloudAdapter;
  bot: ActivityHandler;
  logger: Logger;
  health: Health;
  /** What `/readyz` checks. */
  readiness: ReadinessProbes;
  /** Time limit of each readiness probe; default 2 s. */
  probeTimeoutMs?: number;
  /** Largest request body accepted on /api/messages. */
  maxBodyBytes?: number;
}

export interface HttpServer {
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Stops accepting requests and waits up to `graceMs` for turns in flight. True when all finished. */
  drain(graceMs: number): Promise<boolean>;
  inFlight(): number;
}

export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

const MAX_ID_LENGTH = 1024;

/**
 * What an activity must carry before a turn is even started: a type, a channel, a service URL and a
 * conversation. Returns what is wrong, or undefined.
 */
export function activityShapeProblem(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return 'The body must be a JSON activity object.';
  const a = body as Record<string, unknown>;
  const conversation = a.conversation as Record<string, unknown> | undefined;
  const checks: [boolean, string][] = [
    [typeof a.type === 'string' && a.type !== '' && a.type.length <= 64, 'type'],
    [typeof a.channelId === 'string' && a.channelId !== '' && a.channelId.length <= 64, 'channelId'],
    [
      typeof a.serviceUrl === 'string' &&
        /^https?:\/\/[^\s]+$/.test(a.serviceUrl) &&
        a.serviceUrl.length <= 2048,
      'serviceUrl',
    ],
    [
      typeof conversation === 'object' &&
        conversation !== null &&
        typeof conversation.id === 'string' &&
        conversation.id !== '' &&
        conversation.id.length <= MAX_ID_LENGTH,
      'conversation.id',
    ],
  ];
  const missing = checks.filter(([ok]) => !ok).map(([, name]) => name);
  return missing.length === 0
    ? undefined
    : `The activity is missing or has an invalid ${missing.join(', ')}.`;
}

/** `application/json`, with or without parameters such as `; charset=utf-8`, in any case. */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  return header.split(';')[0].trim().toLowerCase() === 'application/json';
}

/** What the turn's span says about the activity: its kind only (type, channel, invoke name). */
export function activityAttributes(body: unknown): Attributes {
  const a = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const short = (value: unknown): string | undefined =>
    typeof value === 'string' && /^[\w./:-]{1,64}$/.test(value) ? value : undefined;
  const attributes: Attributes = {
    'http.request.method': 'POST',
    'http.route': '/api/messages',
  };
  const type = short(a.type);
  const channel = short(a.channelId);
  const invoke = type === 'invoke' ? short(a.name) : undefined;
  if (type !== undefined) attributes['bot.activity.type'] = type;
  if (channel !== undefined) attributes['bot.channel'] = channel;
  if (invoke !== undefined) attributes['bot.invoke.name'] = invoke;
  return attributes;
}

export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { adapter, bot, logger, health } = options;
  const readiness = oneAtATime(options.readiness);
  const probeTimeoutMs = options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const server = restify.createServer({ name: 'service-account-bot', handleUncaughtExceptions: false });
  let inFlight = 0;
  let draining = false;
  let idle: (() => void) | undefined;

  // JSON only: a form or multipart body is what a web page can post cross-site without a preflight.
  const readBody = restify.plugins.bodyReader({
    maxBodySize: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
  });
  // `bodyReader: true` says the body is read above, so the parser adds no reader of its own.
  const parseJson = restify.plugins.jsonBodyParser({ mapParams: false, bodyReader: true });
  const jsonBody: restify.RequestHandler[] = [
    (req, res, next) => {
      if (!isJsonContentType(req.header('content-type'))) {
        res.send(415, { error: 'The body must be JSON (Content-Type: application/json).' });
        return next(false);
      }
      return next();
    },
    readBody,
    ...parseJson,
  ];

  server.get('/healthz', (_req, res, next) => {
    res.send(200, health);
    next();
  });

  // Concurrent probes share one round; the log says when readiness changes, not at every probe.
  let round: ReturnType<typeof runReadinessProbes> | undefined;
  let wasReady = true;
  server.get('/readyz', async (_req, res) => {
    if (draining) {
      res.send(503, { status: 'draining', reason: 'The bot is shutting down.' });
      return;
    }
    round ??= runReadinessProbes(readiness, probeTimeoutMs).finally(() => (round = undefined));
    const report = await round;
    if (report.ready !== wasReady) {
      wasReady = report.ready;
      if (report.ready) logger.info('Ready again: storage, jobs and the job runner answer');
      else logger.warn('Not ready', { reasons: report.reasons, errors: report.errors });
    }
    if (report.ready) res.send(200, { status: 'ready', checks: report.checks });
    else res.send(503, { status: 'not ready', checks: report.checks, reasons: report.reasons });
  });

  server.post('/api/messages', ...jsonBody, async (req, res) => {
    await withSpan('POST /api/messages', SpanKind.SERVER, activityAttributes(req.body), async (span) => {
      try {
        await handleActivity(req, res);
      } finally {
        span.setAttribute('http.response.status_code', res.statusCode);
        if (res.statusCode >= 500) markFailed(span, String(res.statusCode));
      }
    });
  });

  async function handleActivity(req: restify.Request, res: restify.Response): Promise<void> {
    if (draining) {
      res.header('Retry-After', '5');
      res.send(503, { error: 'The bot is shutting down.' });
      return;
    }
    const problem = activityShapeProblem(req.body);
    if (problem !== undefined) {
      res.send(400, { error: problem });
      return;
    }
    inFlight++;
    try {
      await adapter.process(req, res, (context) => bot.run(context));
    } catch (error) {
      logger.error('Request failed outside a turn', { error });
      if (!res.headersSent) res.send(500);
    } finally {
      inFlight--;
      if (inFlight === 0) idle?.();
    }
  }

  return {
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.removeListener('error', reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },

    async drain(graceMs) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.server.closeIdleConnections();
      const finished =
        inFlight === 0
          ? Promise.resolve(true)
          : new Promise<boolean>((resolve) => {
              idle = () => resolve(true);
            });
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), graceMs);
      });
      const allDone = await Promise.race([finished, timedOut]);
      clearTimeout(timer);
      server.server.closeAllConnections();
      await closed;
      return allDone;
    },

    inFlight: () => inFlight,
  };
}
