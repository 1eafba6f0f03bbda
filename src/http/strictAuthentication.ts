/**
 * Bot Framework authentication that answers every bad token with 401. The SDK turns most token
 * problems into an `AuthenticationError` (401), but a token whose signature does not verify, or that
 * is not valid yet, escapes as the JWT library's own error, which the adapter answers with 500: a
 * forged token would look like a server fault. Those errors are translated here.
 */
import type { Activity } from 'botbuilder';
import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { type AuthenticateRequestResult, AuthenticationError } from 'botframework-connector';

const TOKEN_ERRORS = new Set(['JsonWebTokenError', 'NotBeforeError', 'TokenExpiredError']);

export class StrictBotFrameworkAuthentication extends ConfigurationBotFrameworkAuthentication {
  override async authenticateRequest(
    activity: Activity,
    authHeader: string,
  ): Promise<AuthenticateRequestResult> {
    try {
      return await super.authenticateRequest(activity, authHeader);
    } catch (error) {
      if (error instanceof Error && TOKEN_ERRORS.has(error.name)) {
        throw new AuthenticationError(`Unauthorized: the token did not verify (${error.message})`, 401);
      }
      throw error;
    }
  }
}
