import type { FaultStatus } from '../faults/faultInjector';

/**
 * A cmdlet failure as the Exchange admin API reports it: `error.details[0].message` is
 * `ErrorId|ExceptionType|Message`, and `error.innererror.internalexception` holds the plain message.
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
  ) {
    super(message);
  }
}

export function exchangeErrorBody(err: ExchangeError): Record<string, unknown> {
  return {
    error: {
      code: err.code,
      message: 'Error executing cmdlet',
      details: [
        { code: 'Context', target: '', message: `${err.errorId}|${err.exceptionType}|${err.message}` },
      ],
      innererror: {
        message: 'Error executing cmdlet',
        type: 'Microsoft.Exchange.Admin.OData.Core.ODataServiceException',
        stacktrace: '',
        internalexception: { message: err.message, type: err.exceptionType, stacktrace: '' },
      },
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
  cmdletNotFound: (name: string) =>
    new ExchangeError(
      400,
      'BadRequest',
      'CommandNotFoundException',
      'System.Management.Automation.CommandNotFoundException',
      `The term '${name}' is not recognized as a name of a cmdlet, function, script file, or executable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.`,
    ),
  missingParameters: (names: readonly string[]) =>
    new ExchangeError(
      400,
      'BadRequest',
      'MissingMandatoryParameter',
      'System.Management.Automation.ParameterBindingException',
      `Cannot process command because of one or more missing mandatory parameters: ${names.join(' ')}.`,
    ),
  unknownParameter: (name: string) =>
    new ExchangeError(
      400,
      'BadRequest',
      'NamedParameterNotFound',
      'System.Management.Automation.ParameterBindingException',
      `A parameter cannot be found that matches parameter name '${name}'.`,
    ),
  invalidArgument: (parameter: string, value: string) =>
    new ExchangeError(
      400,
      'BadRequest',
      'ParameterArgumentTransformationError',
      'System.Management.Automation.ParameterBindingException',
      `Cannot process argument transformation on parameter '${parameter}'. Cannot convert value "${value}".`,
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
  noPermissionEntry: (user: string) =>
    new ExchangeError(
      404,
      'NotFound',
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
  invalidInput: (message: string) =>
    new ExchangeError(
      400,
      'BadRequest',
      'InvalidCmdletInput',
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
    new ExchangeError(status, code, 'ExTransient', type, message);
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
