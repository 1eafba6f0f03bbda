/**
 * Bot Framework authentication that answers every bad token with 401, and hands out one connector
 * client per bot identity, service URL and audience (and one user-token client per bot identity)
 * instead of new ones per turn and per proactive message.
 *
 * The SDK turns most token problems into an `AuthenticationError` (401), but a token whose signature
 * does not verify, or that is not valid yet, escapes as the JWT library's own error, which the adapter
 * answers with 500: a forged token would look like a server fault. Those errors are translated here.
 *
 * The SDK builds a `ConnectorClient` and a user-token client (each with its whole HTTP pipeline)
 * for every incoming turn and every proactive message; building one costs about as much CPU as
 * drawing a card. A client keeps no state between requests (its credentials fetch and cache their
 * own tokens), so clients are kept, at most `MAX_CLIENTS` of each kind, the least recently used
 * dropped first.
 */
import type { Activity } from 'botbuilder';
import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import {
  type AuthenticateRequestResult,
  AuthenticationConstants,
  AuthenticationError,
  type ClaimsIdentity,
  type ConnectorClient,
  ConnectorFactory,
  type UserTokenClient,
} from 'botframework-connector';

const TOKEN_ERRORS = new Set(['JsonWebTokenError', 'NotBeforeError', 'TokenExpiredError']);
const MAX_CLIENTS = 64;

/** Clients by key, at most `MAX_CLIENTS`, least recently used first. */
class KeptClients<T> {
  private readonly clients = new Map<string, Promise<T>>();

  get(key: string, create: () => Promise<T>): Promise<T> {
    const kept = this.clients.get(key);
    if (kept !== undefined) {
      this.clients.delete(key);
      this.clients.set(key, kept);
      return kept;
    }
    const made = create();
    this.clients.set(key, made);
    made.catch(() => this.clients.delete(key));
    if (this.clients.size > MAX_CLIENTS) this.clients.delete(this.clients.keys().next().value as string);
    return made;
  }
}

class KeptConnectorFactory extends ConnectorFactory {
  constructor(
    private readonly inner: ConnectorFactory,
    private readonly identity: string,
    private readonly clients: KeptClients<ConnectorClient>,
  ) {
    super();
  }

  create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    return this.clients.get(JSON.stringify([this.identity, serviceUrl, audience ?? '']), () =>
      this.inner.create(serviceUrl, audience),
    );
  }
}

/** What the SDK names the bot by in a factory made for these claims (audience, else app id). */
function botIdentity(claims: ClaimsIdentity): string {
  return JSON.stringify([
    claims.getClaimValue(AuthenticationConstants.AudienceClaim) ?? '',
    claims.getClaimValue(AuthenticationConstants.AppIdClaim) ?? '',
  ]);
}

export class StrictBotFrameworkAuthentication extends ConfigurationBotFrameworkAuthentication {
  private readonly clients = new KeptClients<ConnectorClient>();
  private readonly userTokenClients = new KeptClients<UserTokenClient>();

  override async authenticateRequest(
    activity: Activity,
    authHeader: string,
  ): Promise<AuthenticateRequestResult> {
    try {
      const result = await super.authenticateRequest(activity, authHeader);
      return result.connectorFactory === undefined
        ? result
        : {
            ...result,
            connectorFactory: new KeptConnectorFactory(
              result.connectorFactory,
              botIdentity(result.claimsIdentity),
              this.clients,
            ),
          };
    } catch (error) {
      if (error instanceof Error && TOKEN_ERRORS.has(error.name)) {
        throw new AuthenticationError(`Unauthorized: the token did not verify (${error.message})`, 401);
      }
      throw error;
    }
  }

  /** The same for the user-token client the SDK makes for every turn (the bot signs nobody in). */
  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return this.userTokenClients.get(botIdentity(claimsIdentity), () =>
      super.createUserTokenClient(claimsIdentity),
    );
  }

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return new KeptConnectorFactory(
      super.createConnectorFactory(claimsIdentity),
      botIdentity(claimsIdentity),
      this.clients,
    );
  }
}
