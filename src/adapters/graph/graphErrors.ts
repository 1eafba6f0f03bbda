/** Translates Microsoft Graph failures into the one `AppError`, keeping Graph's request-id. */
import { GraphError } from '@microsoft/microsoft-graph-client';
import { AppError, type ErrorDetails } from '../../domain/errors';
import { parseRetryAfter } from '../retry';

interface GraphErrorBody {
  code?: string;
  message?: string;
  details?: { code?: string; target?: string; message?: string }[];
  innerError?: { 'request-id'?: string; 'client-request-id'?: string };
}

function parseBody(body: unknown): GraphErrorBody {
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as GraphErrorBody;
    } catch {
      return {};
    }
  }
  return typeof body === 'object' && body !== null ? (body as GraphErrorBody) : {};
}

const CONFLICT_TEXT = /already exists|conflicting object|same value for property/i;

/** Maps a status, a Graph error body and headers (from the client or from a `$batch` item). */
export function graphFailure(
  status: number,
  rawBody: unknown,
  header: (name: string) => string | null | undefined,
  operation: string,
  cause?: unknown,
): AppError {
  const inner = parseBody(rawBody);
  const body = (inner as { error?: GraphErrorBody }).error ?? inner;
  const message = body.message ?? `Microsoft Graph answered ${status}`;
  const details: ErrorDetails = {
    status,
    serviceCode: body.code,
    requestId: header('request-id') ?? body.innerError?.['request-id'] ?? undefined,
    clientRequestId: header('client-request-id') ?? body.innerError?.['client-request-id'] ?? undefined,
    retryAfterMs: parseRetryAfter(header('retry-after')),
    operation,
  };
  const options = { cause, details, message: `${operation}: ${status} ${body.code ?? ''} ${message}`.trim() };
  if (status === 429) {
    return new AppError(
      'Throttled',
      'Microsoft Graph is throttling requests; trying again shortly.',
      options,
    );
  }
  if (status === 503 || status === 504) {
    return new AppError('ServiceUnavailable', 'Microsoft Graph is temporarily unavailable.', options);
  }
  if (status === 404 || body.code === 'Request_ResourceNotFound' || body.code === 'ResourceNotFound') {
    return new AppError('NotFound', 'Microsoft Graph could not find the object (yet).', options);
  }
  if (
    (status === 400 || status === 409) &&
    (body.details?.some((d) => d.code === 'ObjectConflict') || CONFLICT_TEXT.test(message))
  ) {
    return new AppError('Conflict', message, options);
  }
  if (status === 401) {
    return new AppError(
      'Unauthorized',
      'Microsoft Graph refused the bot’s token. Check the app registration’s credentials.',
      options,
    );
  }
  if (status === 403) {
    return new AppError(
      'Forbidden',
      'The bot’s app registration lacks a Microsoft Graph permission for this (see README: app permissions).',
      options,
    );
  }
  if (status >= 400 && status < 500) return new AppError('BadRequest', message, options);
  return new AppError('Unexpected', `Microsoft Graph failed (${status}).`, options);
}

export function fromGraphError(error: unknown, operation: string): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof GraphError && error.statusCode > 0) {
    return graphFailure(error.statusCode, error.body, (name) => error.headers?.get(name), operation, error);
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new AppError('ServiceUnavailable', 'Microsoft Graph could not be reached.', {
    cause: error,
    details: { operation },
    message: `${operation}: ${reason}`,
  });
}
