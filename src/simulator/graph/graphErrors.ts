import type { FaultStatus } from '../faults/faultInjector';

export interface GraphErrorDetail {
  code: string;
  message?: string;
  target?: string;
}

/** A Graph error: rendered as `{error:{code,message,details?,innerError:{date,request-id,client-request-id}}}`. */
export class GraphError extends Error {
  /** Sent as `Retry-After` (throttling and injected faults). */
  retryAfterSeconds?: number;
  /** Set when a fault or the throttled scenario caused this error (for the call log). */
  faultLabel?: string;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: GraphErrorDetail[],
  ) {
    super(message);
  }
}

export function graphErrorBody(
  err: GraphError,
  requestId: string,
  clientRequestId: string,
  now: Date,
): Record<string, unknown> {
  return {
    error: {
      code: err.code,
      message: err.message,
      ...(err.details !== undefined ? { details: err.details } : {}),
      innerError: {
        date: now.toISOString().replace(/\.\d{3}Z$/, ''),
        'request-id': requestId,
        'client-request-id': clientRequestId,
      },
    },
  };
}

export const graphErrors = {
  notFound: (id: string) =>
    new GraphError(
      404,
      'Request_ResourceNotFound',
      `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    ),
  badRequest: (message: string, details?: GraphErrorDetail[]) =>
    new GraphError(400, 'Request_BadRequest', message, details),
  requiredProperty: (property: string, resource = 'User') =>
    new GraphError(
      400,
      'Request_BadRequest',
      `A value is required for property '${property}' of resource '${resource}'.`,
      [{ code: 'PropertyRequired', target: property }],
    ),
  invalidValue: (property: string, resource = 'User') =>
    new GraphError(
      400,
      'Request_BadRequest',
      `Invalid value specified for property '${property}' of resource '${resource}'.`,
      [{ code: 'InvalidValue', target: property }],
    ),
  unknownSegment: (segment: string) =>
    new GraphError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`),
  methodNotAllowed: () =>
    new GraphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request uri.'),
  invalidJson: () =>
    new GraphError(
      400,
      'BadRequest',
      'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
    ),
  tooLarge: () => new GraphError(413, 'RequestEntityTooLarge', 'The request payload is too large.'),
  insufficientPrivileges: () =>
    new GraphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'),
  conflictingObject: () =>
    new GraphError(
      400,
      'Request_BadRequest',
      'A conflicting object with one or more of the specified property values is present in the directory.',
    ),
};

const TOKEN_MESSAGES: Record<string, string> = {
  missing: 'Access token is empty.',
  malformed: 'IDX14100: JWT is not well formed, there are no dots (.).',
  signature: 'Access token validation failure.',
  expired: 'Lifetime validation failed, the token is expired.',
  audience: 'Access token validation failure. Invalid audience.',
  tenant: 'Access token validation failure. Invalid tenant.',
};

export function invalidTokenError(reason: string): GraphError {
  return new GraphError(
    401,
    'InvalidAuthenticationToken',
    TOKEN_MESSAGES[reason] ?? 'Access token validation failure.',
  );
}

/** The error an injected fault answers with; a 404 names `subject`, the object the request is about. */
export function faultError(
  status: FaultStatus,
  subject: string,
  retryAfterSeconds: number | undefined,
): GraphError {
  switch (status) {
    case 429:
      return new GraphError(
        429,
        'TooManyRequests',
        `Too many requests. Retry after ${retryAfterSeconds ?? 1} seconds.`,
      );
    case 503:
      return new GraphError(
        503,
        'ServiceNotAvailable',
        'The service is temporarily unavailable. Please retry later.',
      );
    case 504:
      return new GraphError(504, 'GatewayTimeout', 'The request timed out before the backend answered.');
    case 500:
      return new GraphError(500, 'InternalServerError', 'An internal server error occurred.');
    case 404:
      return graphErrors.notFound(subject);
  }
}
