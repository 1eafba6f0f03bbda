import { exchangeErrorMessage, exchangeFailure } from '../../../src/adapters/exchange/exchangeCommandClient';

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
    expect(exchangeErrorMessage(body)).toEqual({
      message:
        "The operation couldn't be performed because object 'ApplicationImpersonation' couldn't be found on 'AM0PR01A001DC01.EURPR01A001.prod.outlook.com'.",
      exceptionType: 'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException',
    });
    expect(exchangeFailure(500, body, new Headers(), 'Get-ManagementRole').code).toBe('NotFound');
  });

  it('when only the inner exception has the message (lower-case keys), then that is used', () => {
    const body = {
      error: {
        message: 'Error',
        innererror: { internalexception: { message: 'The role group "App Impersonation" already exists.' } },
      },
    };
    expect(exchangeErrorMessage(body).message).toBe('The role group "App Impersonation" already exists.');
    expect(exchangeFailure(400, body, new Headers(), 'New-RoleGroup').code).toBe('Conflict');
  });

  it('when the app may not run a cmdlet, then it says which permission and role are missing', () => {
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
});
