/**
 * The one error type. Adapters translate Graph, Exchange and token failures into it; use cases raise
 * it for rule violations. `userMessage` is safe to show an admin; `cause` and `details` are for logs.
 */
export type ErrorCode =
  /** Throttled (429) or temporarily unavailable (503/504): try again after `retryAfterMs`. */
  | 'Throttled'
  | 'ServiceUnavailable'
  /** The object does not exist (yet: Graph and Exchange are eventually consistent). */
  | 'NotFound'
  /** The object already exists (duplicate UPN, role assignment, role group member…). */
  | 'Conflict'
  /** The request was refused as malformed or invalid by the service. */
  | 'BadRequest'
  /** The app lacks a permission or role (403) or its token was refused (401). */
  | 'Forbidden'
  | 'Unauthorized'
  /** A user principal name is held by someone this request did not create. */
  | 'UpnTaken'
  /** A pre-flight blocker, found when the plan runs. */
  | 'Blocked'
  /** The tenant has no free seat of the chosen licence. */
  | 'NoSeats'
  /** A transient condition outlasted its retry budget, or an answer did not come in time. */
  | 'TimedOut'
  /** The account a ready request made is no longer in the directory (someone deleted it). */
  | 'Gone'
  | 'Unexpected';

export interface ErrorDetails {
  /** Graph's `request-id` (or Exchange's) of the failed call, for Microsoft support. */
  requestId?: string;
  clientRequestId?: string;
  status?: number;
  serviceCode?: string;
  /** Milliseconds the service asked to wait (Retry-After). */
  retryAfterMs?: number;
  /** What was being done, e.g. "POST /users" or "Add-RoleGroupMember". */
  operation?: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly userMessage: string;
  readonly retryable: boolean;
  readonly details: ErrorDetails;

  constructor(
    code: ErrorCode,
    userMessage: string,
    options: { retryable?: boolean; cause?: unknown; details?: ErrorDetails; message?: string } = {},
  ) {
    super(options.message ?? userMessage, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.userMessage = userMessage;
    this.retryable = options.retryable ?? (code === 'Throttled' || code === 'ServiceUnavailable');
    this.details = options.details ?? {};
  }
}

export function isAppError(error: unknown, code?: ErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}
