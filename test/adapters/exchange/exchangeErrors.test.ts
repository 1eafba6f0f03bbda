import { exchangeFailure } from '../../../src/adapters/exchange/exchangeCommandClient';
import { readExchangeError } from '../../../src/adapters/exchange/exchangeExceptions';

describe('Exchange error shapes', () => {
  it('when details carry "ErrorId|ExceptionType|message", then the message and type are taken from there', () => {
    const body = {
      error: {
        code: 'InternalServerError',
        message: 'Error executing cmdlet',
        details: [
          {
            code: 'Context',
            message:
              "Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation couldn't be performed because object 'ApplicationImpersonation' couldn't be found on 'AM0PR01A001DC01.EURPR01A001.prod.outlook.com'.",
          },
        ],
      },
    };
    expect(readExchangeError(body)).toMatchObject({
      message:
        "The operation couldn't be performed because object 'ApplicationImpersonation' couldn't be found on 'AM0PR01A001DC01.EURPR01A001.prod.outlook.com'.",
      exceptionType: 'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException',
    });
    expect(exchangeFailure(500, body, new Headers(), 'Get-ManagementRole').code).toBe('NotFound');
  });

  it('when the body names no exception type and only the inner exception has the message (lower-case keys), then that message decides', () => {
    const body = {
      error: {
        message: 'Error',
        innererror: { internalexception: { message: 'The role group "App Impersonation" already exists.' } },
      },
    };
    expect(readExchangeError(body).message).toBe('The role group "App Impersonation" already exists.');
    expect(exchangeFailure(400, body, new Headers(), 'New-RoleGroup').code).toBe('Conflict');
  });

  it('when the app may not run a cmdlet (no exception type named), then it says which permission and role are missing', () => {
    const body = {
      error: {
        message:
          "The term 'New-RoleGroup' is not recognized as a name of a cmdlet, function, script file, or executable program.",
      },
    };
    const error = exchangeFailure(400, body, new Headers(), 'New-RoleGroup');
    expect(error.code).toBe('Forbidden');
    expect(error.userMessage).toMatch(/Exchange\.ManageAsApp.*Exchange Administrator/);
  });

  it('when Exchange answers 403 with an empty body, then it is Forbidden; 429 is throttling with its Retry-After', () => {
    expect(exchangeFailure(403, {}, new Headers(), 'Get-RoleGroup').code).toBe('Forbidden');
    const throttled = exchangeFailure(429, {}, new Headers({ 'Retry-After': '2' }), 'Get-RoleGroup');
    expect([throttled.code, throttled.retryable, throttled.details.retryAfterMs]).toEqual([
      'Throttled',
      true,
      2000,
    ]);
  });

  /** An InvokeCommand cmdlet error as Exchange Online answers it: HTTP 400 whatever it means. */
  const cmdletError = (type: string, message: string) => ({
    error: {
      code: 'BadRequest',
      message: 'Invalid Operation',
      details: [{ code: 'Client', message: `Ex0B2D84|${type}|${message}` }],
      innererror: {
        message: 'Invalid Operation',
        type: 'Microsoft.Exchange.Admin.OData.Core.ODataServiceException',
        internalexception: { message, type },
      },
    },
  });

  it.each([
    [
      'Microsoft.Exchange.Management.StoreTasks.UserNotFoundInPermissionEntryException',
      'There is no existing permission entry found for user: CiraSync Service.',
      'NotFound',
    ],
    [
      'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException',
      "The operation couldn't be performed because object 'x' couldn't be found on 'DC1'.",
      'NotFound',
    ],
    [
      'Microsoft.Exchange.Management.StoreTasks.UserAlreadyExistsInPermissionEntryException',
      'An existing permission entry was found for user: CiraSync Service.',
      'Conflict',
    ],
    [
      'Microsoft.Exchange.Management.Tasks.MemberAlreadyExistsException',
      'The recipient "svc" is already a member of the group "App Impersonation".',
      'Conflict',
    ],
    [
      'Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException',
      "Active Directory operation failed on DC1. The object 'CN=App Impersonation' already exists.",
      'Conflict',
    ],
    [
      'Microsoft.Exchange.Configuration.Tasks.ManagementObjectAmbiguousException',
      "The operation couldn't be performed because 'svc' matches multiple entries.",
      'BadRequest',
    ],
    [
      'System.Management.Automation.CommandNotFoundException',
      "The term 'New-RoleGroup' is not recognized as a name of a cmdlet.",
      'Forbidden',
    ],
  ])('when a 400 names %s ("%s"), then it is %s', (type, message, code) => {
    const error = exchangeFailure(400, cmdletError(type, message), new Headers(), 'Some-Cmdlet');
    expect([error.code, error.details.serviceCode, error.userMessage]).toEqual([
      code,
      type,
      code === 'Forbidden' ? expect.stringContaining('Exchange.ManageAsApp') : message,
    ]);
  });

  it('when the exception type is one the engine does not know, then the words of the message do not turn it into "absent" or "exists"', () => {
    const body = cmdletError(
      'Microsoft.Exchange.Management.Tasks.SomeOtherException',
      'The object could not be found because it already exists.',
    );
    expect(exchangeFailure(400, body, new Headers(), 'Some-Cmdlet').code).toBe('BadRequest');
  });

  it('when only the inner exception names the type, then the type is read from there', () => {
    const body = {
      error: {
        code: 'BadRequest',
        message: 'Invalid Operation',
        innererror: {
          internalexception: {
            type: 'Microsoft.Exchange.Management.StoreTasks.UserNotFoundInPermissionEntryException',
            message: 'There is no existing permission entry found for user: CiraSync Service.',
          },
        },
      },
    };
    expect(readExchangeError(body)).toEqual({
      message: 'There is no existing permission entry found for user: CiraSync Service.',
      exceptionType: 'Microsoft.Exchange.Management.StoreTasks.UserNotFoundInPermissionEntryException',
      meaning: 'absent',
    });
  });

  it('when an Exchange task fails, then the type is read from details even though the internal exception is the generic wrapper', () => {
    // The shape of a ManagementObjectNotFoundException quoted from a real answer (2023).
    const body = {
      error: {
        code: 'NotFound',
        message: 'Error executing cmdlet',
        details: [
          {
            code: 'Client',
            target: '',
            message:
              "Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation couldn't be performed because object 'svc@contoso.com' couldn't be found on 'YQBPR01A12DC007.CANPR01A012.PROD.OUTLOOK.COM'.",
          },
        ],
        innererror: {
          message: 'Error executing cmdlet',
          type: 'Microsoft.Exchange.Admin.OData.Core.ODataServiceException',
          internalexception: {
            message:
              "Exception of type 'Microsoft.Exchange.Management.PSDirectInvoke.DirectInvokeCmdletExecutionException' was thrown.",
            type: 'Microsoft.Exchange.Management.PSDirectInvoke.DirectInvokeCmdletExecutionException',
          },
        },
        'adminapi.warnings@odata.type': '#Collection(String)',
        '@adminapi.warnings': [],
      },
    };
    expect(readExchangeError(body)).toMatchObject({
      meaning: 'absent',
      message: expect.stringContaining("object 'svc@contoso.com' couldn't be found"),
    });
    expect(exchangeFailure(404, body, new Headers(), 'Get-Recipient').code).toBe('NotFound');
  });

  it('when the admin API refuses a parameter, then it is bad input (a 400 captured from Exchange Online, 2026)', () => {
    const body = {
      error: {
        code: 'BadRequest',
        message: 'Invalid Operation',
        details: [
          {
            code: 'Client',
            target: '',
            message:
              '|Microsoft.Exchange.AdminApi.CommandInvocation.AmbiguousParameterSetException|Parameter set cannot be resolved using the specified named parameters. Invalid cmdlet parameters specified. BogusParameter',
          },
        ],
        innererror: {
          message: 'Invalid Operation',
          type: 'Microsoft.Exchange.Admin.OData.Core.ODataServiceException',
          stacktrace: '',
          internalexception: {
            message:
              'Parameter set cannot be resolved using the specified named parameters. Invalid cmdlet parameters specified. BogusParameter',
            type: 'Microsoft.Exchange.AdminApi.CommandInvocation.AmbiguousParameterSetException',
            stacktrace: '',
          },
        },
      },
    };
    const error = exchangeFailure(400, body, new Headers(), 'Get-RoleGroup');
    expect([error.code, error.userMessage]).toEqual([
      'BadRequest',
      'Parameter set cannot be resolved using the specified named parameters. Invalid cmdlet parameters specified. BogusParameter',
    ]);
  });

  it('when details carry the error as a JSON text, then its TypeName decides', () => {
    const body = {
      error: {
        code: 'BadRequest',
        message: 'Error executing cmdlet',
        details: [
          {
            code: 'Context',
            target: '',
            message:
              '{"Message":"The object \'CN=rg,OU=x\' already exists.","TypeName":"Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException","StackTrace":null,"InnerError":null}',
          },
        ],
      },
    };
    const error = exchangeFailure(400, body, new Headers(), 'New-RoleGroup');
    expect([error.code, error.userMessage]).toEqual(['Conflict', "The object 'CN=rg,OU=x' already exists."]);
  });
});
