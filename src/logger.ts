/**
 * The one logger. Writes one JSON object per line to stdout (errors to stderr) and redacts secrets:
 * fields whose names look like credentials, and bearer tokens or JWTs inside any string. A line
 * written inside a span carries its `traceId` and `spanId` (only with telemetry on).
 *
 * Lines are a fixed message plus fields. At `debug` the adapters add one line per round trip (Graph,
 * Exchange, Key Vault, Teams) and the job runner one per claim and per finished run; those callers
 * ask `enabled('debug')` before gathering their fields.
 */
import { traceFields } from './telemetry/tracing';

/** How much the logger writes: `silent` writes nothing. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
  /**
   * Whether a line at `level` would be written: a caller that has fields to gather for a debug line
   * asks first, so debug logging costs nothing at a higher level.
   */
  enabled(level: Exclude<LogLevel, 'silent'>): boolean;
}

export type LogSink = (line: string, level: Exclude<LogLevel, 'silent'>) => void;

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
const SECRET_KEY =
  /pass(word)?|secret|token|authori[sz]ation|cookie|credential|private.?key|client.?assertion/i;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
export const REDACTED = '[redacted]';

const defaultSink: LogSink = (line, level) => {
  (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(line + '\n');
};

/** Copies `value` with secrets replaced; safe on cycles and errors. */
export function redact(value: unknown, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return value.replace(BEARER, `$1 ${REDACTED}`).replace(JWT, REDACTED);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (value instanceof Error) {
    return { name: value.name, message: redact(value.message, seen), stack: redact(value.stack, seen) };
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, seen));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) && item !== undefined && item !== null ? REDACTED : redact(item, seen);
  }
  return out;
}

export function createLogger(level: LogLevel, sink: LogSink = defaultSink, base: LogFields = {}): Logger {
  const threshold = RANK[level];
  const write = (lvl: Exclude<LogLevel, 'silent'>, message: string, fields?: LogFields): void => {
    if (RANK[lvl] < threshold) return;
    const record = {
      time: new Date().toISOString(),
      level: lvl,
      msg: redact(message),
      ...traceFields(),
      ...(redact({ ...base, ...fields }) as LogFields),
    };
    sink(JSON.stringify(record), lvl);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger(level, sink, { ...base, ...fields }),
    enabled: (lvl) => RANK[lvl] >= threshold,
  };
}
