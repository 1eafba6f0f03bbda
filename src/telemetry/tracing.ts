/**
 * Spans and trace ids through the OpenTelemetry API. Without telemetry (no
 * `APPLICATIONINSIGHTS_CONNECTION_STRING`) the API is a no-op: spans record nothing, no span is ever
 * active, and log lines get no trace fields. A span's attributes say what kind of thing happened —
 * activity type, job kind, request template, cmdlet name, status code — never what was said or sent:
 * no activity text, card data, job data, parameters or secrets, and an error is named by its code,
 * never by its message.
 */
import {
  type Attributes,
  context,
  isSpanContextValid,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';

export { SpanKind };
export type { Attributes, Span };

/** The tracer and meter name, and the cloud role name in Application Insights. */
export const SERVICE_NAME = 'service-account-bot';

export interface SpanOptions {
  /** Starts a new trace whatever span is active (a job run is its own operation). */
  root?: boolean;
}

/** The error's code (`AppError`, Node system errors) or its class name; never its message. */
function errorType(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { code, name } = error as { code?: unknown; name?: unknown };
    if (typeof code === 'string' && /^[A-Za-z][\w.-]{0,63}$/.test(code)) return code;
    if (typeof name === 'string' && name !== '') return name.slice(0, 64);
  }
  return 'Error';
}

/**
 * Runs `fn` inside a span, active for everything `fn` starts; the span ends when `fn` settles, marked
 * as an error (with `error.type`) when it throws.
 */
export function withSpan<T>(
  name: string,
  kind: SpanKind,
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
  options: SpanOptions = {},
): Promise<T> {
  // Looked up on every call: starting the SDK replaces the global tracer provider.
  const tracer = trace.getTracer(SERVICE_NAME);
  return tracer.startActiveSpan(name, { kind, attributes, root: options.root }, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.setAttribute('error.type', errorType(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Marks a span as failed without a throw (a turn answered 5xx, a job that ended failed). */
export function markFailed(span: Span, type: string): void {
  span.setAttribute('error.type', type);
  span.setStatus({ code: SpanStatusCode.ERROR });
}

/** Adds attributes to the span active now, if any: a transport telling the call's span its status. */
export function annotateActiveSpan(attributes: Attributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}

/** The active span's ids, for log lines; empty when no span is active (always, with telemetry off). */
export function traceFields(): { traceId?: string; spanId?: string } {
  const span = trace.getActiveSpan();
  if (span === undefined) return {};
  const ids = span.spanContext();
  return isSpanContextValid(ids) ? { traceId: ids.traceId, spanId: ids.spanId } : {};
}

/**
 * Runs `fn` outside any trace: a loop started from a turn (the job runner woken by a request) must
 * not carry that turn's trace into everything it does afterwards.
 */
export function outsideAnyTrace<T>(fn: () => T): T {
  return context.with(ROOT_CONTEXT, fn);
}
