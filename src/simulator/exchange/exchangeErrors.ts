import type { FaultStatus } from '../faults/faultInjector';

/**
 * A cmdlet failure as the Exchange admin API reports it (bodies captured from Exchange Online, e.g.
 * rknightion/graph2otel internal/exoclient/errors_test.go, 2026; a ManagementObjectNotFoundException
 * quoted in a public script, 2023): `error.code` is the HTTP reason, `error.message` is always
 * "Invalid Operation", `error.details[0]` is `{code: "Client", target: "", message:
 * "ErrorId|ExceptionType|Text"}` — the ErrorId is empty for the admin API's own exceptions (bad
 * parameters) — and `error.innererror.internalexception` holds the text. For an Exchange task's
 * exception (`ErrorId` set) the internal exception is the generic DirectInvoke wrapper, so its type is
 * only in `details`; a parameter transformation error comes without `details` at all. Most cmdlet
 * errors are HTTP 400 whatever they mean; ManagementObjectNotFoundException is the 404 seen.
 */
export class ExchangeError extends Error {
  retryAfterSeconds?: number;
  faultLabel?: string;
  /** Set by an `afterCommit` fault: the cmdlet's change was applied before this error. */
  committed = false;

  constructor(
    readonly status: number,
    readonly code: string,
    readonly errorId: string,
    readonly exceptionType: string,
    message: string,
    /** False for the errors Exchange reports without `details` (argument transformation). */
    readonly withDetails = true,
  ) {
    super(message);
  }
}

const DIRECT_INVOKE_WRAPPER =
  'Microsoft.Exchange.Management.PSDirectInvoke.DirectInvokeCmdletExecutionException';

/** Any failure as Exchange answers it: an `ExchangeError` as it is, anything else a 500. */
export function asExchangeError(err: unknown): ExchangeError {
  return err instanceof ExchangeError
    ? err
    : new ExchangeError(500, 'InternalServerError', 'Ex0', 'System.Exception', String(err));
}

export function exchangeErrorBody(err: ExchangeError): Record<string, unknown> {
  const taskException = err.errorId !== '';
  return {
    error: {
      code: err.code,
      message: 'Invalid Operation',
      ...(err.withDetails
        ? {
            details: [
              { code: 'Client', target: '', message: `${err.errorId}|${err.exceptionType}|${err.message}` },
            ],
          }
        : {}),
      innererror: {
        message: 'Invalid Operation',
        type: 'Microsoft.Exchange.Admin.OData.Core.ODataServiceException',
        stacktrace: '',
        internalexception: taskException
          ? {
              message: `Exception of type '${DIRECT_INVOKE_WRAPPER}' was thrown.`,
              type: DIRECT_INVOKE_WRAPPER,
              stacktrace: '',
            }
          : { message: err.message, type: err.exceptionType, stacktrace: '' },
      },
      'adminapi.warnings@odata.type': '#Collection(String)',
      '@adminapi.warnings': [],
    },
  };
}

export const exchangeErrors = {
  objectNotFound: (identity: string, server: string) =>
    new ExchangeError(
      404,
      'NotFound',
      'Ex6F9304',
      'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException',
      `The operation couldn't be performed because object '${identity}' couldn't be found on '${server}'.`,
    ),
  // Status not captured; the text is what public clients match on.
  cmdletNotFound: (name: string) =>
    new ExchangeError(
      400,
      'BadRequest',
      '',
      'System.Management.Automation.CommandNotFoundException',
      `The term '${name}' is not recognized as a name of a cmdlet, function, script file, or executable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.`,
    ),
  // Not captured: modelled on the admin API's other parameter errors (empty ErrorId, 400).
  missingParameters: (names: readonly string[]) =>
    new ExchangeError(
      400,
      'BadRequest',
      '',
      'Microsoft.Exchange.AdminApi.CommandInvocation.ParameterBindingException',
      `Cannot process command because of one or more missing mandatory parameters: ${names.join(' ')}.`,
    ),
  unknownParameter: (name: string) =>
    new ExchangeError(
      400,
      'BadRequest',
      '',
      'Microsoft.Exchange.AdminApi.CommandInvocation.AmbiguousParameterSetException',
      `Parameter set cannot be resolved using the specified named parameters. Invalid cmdlet parameters specified. ${name}`,
    ),
  invalidArgument: (parameter: string, value: string) =>
    new ExchangeError(
      400,
      'BadRequest',
      '',
      'Microsoft.Exchange.AdminApi.CommandInvocation.ParameterTransformationException',
      `Cannot process argument transformation on parameter '${parameter}'. Cannot convert value "${value}".`,
      false,
    ),
  alreadyExists: (distinguishedName: string, server: string) =>
    new ExchangeError(
      400,
      'BadRequest',
      'Ex5B5E6B',
      'Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException',
      `Active Directory operation failed on ${server}. The object '${distinguishedName}' already exists.`,
    ),
  alreadyMember: (member: string, group: string) =>
    new ExchangeError(
      400,
      'BadRequest',
      'Ex9B6F50',
      'Microsoft.Exchange.Management.Tasks.MemberAlreadyExistsException',
      `The recipient "${member}" is already a member of the group "${group}".`,
    ),
  permissionExists: (user: string) =>
    new ExchangeError(
      400,
      'BadRequest',
      'ExF2B4C1',
      'Microsoft.Exchange.Management.StoreTasks.UserAlreadyExistsInPermissionEntryException',
      `An existing permission entry was found for user: ${user}.`,
    ),
  // A user with no entry on the folder: a cmdlet error like any other, HTTP 400 (not 404).
  noPermissionEntry: (user: string) =>
    new ExchangeError(
      400,
      'BadRequest',
      'ExC7D7B5',
      'Microsoft.Exchange.Management.StoreTasks.UserNotFoundInPermissionEntryException',
      `There is no existing permission entry found for user: ${user}.`,
    ),
  notAMailboxUser: (identity: string) =>
    new ExchangeError(
      400,
      'BadRequest',
      'Ex8E3A5F',
      'Microsoft.Exchange.Management.StoreTasks.InvalidExternalUserIdException',
      `The user "${identity}" is either not valid SMTP address, or there is no matching information.`,
    ),
  /**
   * An OPATH filter that does not parse. The text is Exchange's for a filter parameter (public
   * question threads quote it for `-RecipientFilter` and `-Filter`, wrapped in "Cannot bind
   * parameter"); the type is assumed: the admin API's binding-error family, as for missing parameters.
   */
  invalidFilter: (parameter: string, filter: string, position: number) =>
    new ExchangeError(
      400,
      'BadRequest',
      '',
      'Microsoft.Exchange.AdminApi.CommandInvocation.ParameterBindingException',
      `Cannot bind parameter '${parameter}' to the target. Exception setting "${parameter}": "Invalid filter syntax. For a description of the filter parameter syntax see the command help.\r\n"${filter}" at position ${position}."`,
    ),
  // The same family; Exchange's text lists the valid names after it (shortened here).
  unknownFilterProperty: (parameter: string, property: string, valid: readonly string[]) =>
    new ExchangeError(
      400,
      'BadRequest',
      '',
      'Microsoft.Exchange.AdminApi.CommandInvocation.ParameterBindingException',
      `Cannot bind parameter '${parameter}' to the target. Exception setting "${parameter}": ""${property}" is not a recognized filterable property. Valid property names are: ${valid.join(', ')}."`,
    ),
  /**
   * `New-ServicePrincipal` with an ObjectId that is not the Entra service principal of that AppId
   * (often the app registration's object id). Public setup guides quote "AADServicePrincipalNotFound.
   * No ServicePrincipal with Object Id 'X' ... is registered" and retry on the word
   * AADServicePrincipalNotFound; the rest of the text, the type and the status (400, as most cmdlet
   * errors) are assumed.
   */
  servicePrincipalNotInDirectory: (objectId: string, appId: string) =>
    new ExchangeError(
      400,
      'BadRequest',
      'Ex3D0C7A',
      'Microsoft.Exchange.Management.RbacTasks.ServicePrincipalNotFoundException',
      `AADServicePrincipalNotFound. No ServicePrincipal with Object Id '${objectId}' and App Id '${appId}' is registered in Microsoft Entra ID for this organization.`,
    ),
  /**
   * `-App` with an admin or user role: "If you use the App parameter, you can't specify admin or user
   * roles; you can only specify application roles" (New-ManagementRoleAssignment.md). Text and type
   * assumed (Exchange's RBAC tasks reject a wrong assignee type with an ArgumentException).
   */
  notAnApplicationRole: (role: string) =>
    new ExchangeError(
      400,
      'BadRequest',
      'ExB41E29',
      'System.ArgumentException',
      `The role "${role}" isn't an application role. With the App parameter you can only specify application roles (for example, "Application Mail.Read").`,
    ),
  invalidInput: (message: string) =>
    new ExchangeError(
      400,
      'BadRequest',
      '',
      'Microsoft.Exchange.Admin.OData.Core.ODataServiceException',
      message,
    ),
};

/** The error an injected fault answers with; a 404 names `identity`. */
export function exchangeFaultError(
  status: FaultStatus,
  identity: string,
  server: string,
  retryAfterSeconds?: number,
): ExchangeError {
  const transient = (code: string, type: string, message: string) =>
    new ExchangeError(status, code, '', type, message);
  switch (status) {
    case 404:
      return exchangeErrors.objectNotFound(identity, server);
    case 429:
      return transient(
        'TooManyRequests',
        'Microsoft.Exchange.Admin.OData.Core.ThrottlingException',
        `The request was throttled. Retry after ${retryAfterSeconds ?? 1} seconds.`,
      );
    case 503:
      return transient(
        'ServiceUnavailable',
        'Microsoft.Exchange.Admin.OData.Core.ServiceUnavailableException',
        'The service is temporarily unavailable.',
      );
    case 504:
      return transient('GatewayTimeout', 'System.TimeoutException', 'The operation timed out.');
    case 500:
      return transient('InternalServerError', 'System.Exception', 'An internal server error occurred.');
  }
}
