/**
 * The service account's password handed over to Azure Key Vault (docs/microsoft365.md, "Secrets"):
 * one secret per account, with an expiry and tagged with the request id; storing again makes a new
 * version. Failures become
 * the one `AppError`, and the password never appears in an error, a message or a log line: the SDK's
 * error (which holds the request, body included) is not kept as the cause. At `LOG_LEVEL=debug` each
 * call is one line: the operation, the secret's name, status, duration and Key Vault's request id.
 */
import { performance } from 'node:perf_hooks';
import type { TokenCredential } from '@azure/core-auth';
import { isRestError } from '@azure/core-rest-pipeline';
import { SecretClient } from '@azure/keyvault-secrets';
import { AppError, type ErrorDetails } from '../../domain/errors';
import type { Logger } from '../../logger';
import { parseRetryAfter } from '../retry';

export interface KeyVaultHandOverOptions {
  /** e.g. `https://contoso-bot.vault.azure.net` */
  vaultUrl: string;
  credential: TokenCredential;
  /**
   * Simulator / sovereign clouds: accept a challenge whose resource (`https://vault.azure.net`) is not
   * the vault URL's own domain.
   */
  disableChallengeResourceVerification?: boolean;
  /** Lets the token go over plain `http://` to 127.0.0.1/localhost (the embedded simulator only). */
  allowInsecureConnection?: boolean;
  /** Gets one debug line per call. */
  logger?: Logger;
}

export interface SecretHandOver {
  /** A valid Key Vault name: see `KeyVaultHandOver.secretName`. */
  name: string;
  value: string;
  requestId: string;
  expiresOn: Date;
  contentType?: string;
}

export interface StoredSecret {
  name: string;
  version: string;
  /** `<vault>/secrets/<name>/<version>` */
  id: string;
}

/** Key Vault's rule for object names. */
const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;
const NAME_PREFIX = 'sab';
const CREATED_BY = 'service-account-bot';
const OPERATION = 'Key Vault set secret';

export class KeyVaultHandOver {
  private readonly client: SecretClient;
  private readonly logger?: Logger;

  constructor(options: KeyVaultHandOverOptions) {
    this.logger = options.logger;
    this.client = new SecretClient(options.vaultUrl, options.credential, {
      disableChallengeResourceVerification: options.disableChallengeResourceVerification,
      allowInsecureConnection: options.allowInsecureConnection,
      // `withRetries` decides retries (429/503 come back retryable), so every round trip is visible.
      retryOptions: { maxRetries: 0 },
    });
  }

  /**
   * `sab-<upn, each run of other characters as one '-'>-<first 8 letters or digits of the request id>`,
   * lower case, at most 127 characters (the UPN part is cut, never the request id).
   */
  static secretName(upn: string, requestId: string): string {
    const request = requestId.replace(/[^0-9a-zA-Z]/g, '').slice(0, 8);
    if (request === '') throw new RangeError('secretName: the request id has no letters or digits');
    const room = 127 - NAME_PREFIX.length - request.length - 2;
    const account = upn
      .replace(/[^0-9a-zA-Z]+/g, '-')
      .slice(0, room)
      .replace(/^-+|-+$/g, '');
    return [NAME_PREFIX, account, request]
      .filter((part) => part !== '')
      .join('-')
      .toLowerCase();
  }

  async store(input: SecretHandOver): Promise<StoredSecret> {
    if (!SECRET_NAME.test(input.name)) {
      throw new AppError('BadRequest', 'The Key Vault secret name is not valid.', {
        details: { operation: OPERATION },
        message: `${OPERATION}: invalid name "${input.name}" (1–127 letters, digits and '-')`,
      });
    }
    let stored: StoredSecret | undefined;
    const logger = this.logger?.enabled('debug') === true ? this.logger : undefined;
    const started = logger === undefined ? 0 : performance.now();
    const answer: { status?: number; requestId?: string } = {};
    try {
      const secret = await this.client.setSecret(input.name, input.value, {
        expiresOn: input.expiresOn,
        tags: { requestId: input.requestId, createdBy: CREATED_BY },
        contentType: input.contentType,
        // Only the status and request id are read from the answer: never its body (it holds the value).
        ...(logger === undefined
          ? {}
          : {
              onResponse: (raw: { status: number; headers: { get(name: string): string | undefined } }) => {
                answer.status = raw.status;
                answer.requestId = raw.headers.get('x-ms-request-id');
              },
            }),
      });
      const { version, id } = secret.properties;
      if (version !== undefined && id !== undefined) stored = { name: secret.name, version, id };
    } catch (error) {
      const failure = keyVaultFailure(error, input.value);
      logger?.debug('Azure Key Vault call', {
        operation: OPERATION,
        name: input.name,
        status: failure.details.status ?? answer.status,
        durationMs: Math.round(performance.now() - started),
        requestId: failure.details.requestId ?? answer.requestId,
        code: failure.code,
      });
      throw failure;
    }
    logger?.debug('Azure Key Vault call', {
      operation: OPERATION,
      name: input.name,
      status: answer.status,
      durationMs: Math.round(performance.now() - started),
      requestId: answer.requestId,
    });
    if (stored === undefined)
      throw new AppError('Unexpected', 'Key Vault did not say which version of the secret it stored.', {
        details: { operation: OPERATION },
      });
    return stored;
  }
}

/** Translates what `SecretClient` threw; `secret` is cut out of every text taken from it. */
function keyVaultFailure(error: unknown, secret: string): AppError {
  const scrub = (text: string): string => (secret === '' ? text : text.split(secret).join('[redacted]'));
  if (!isRestError(error) || error.statusCode === undefined) {
    const reason = scrub(error instanceof Error ? error.message : String(error));
    return new AppError('ServiceUnavailable', 'Azure Key Vault could not be reached.', {
      cause: new Error(reason),
      details: { operation: OPERATION },
      message: `${OPERATION}: ${reason}`,
    });
  }
  const status = error.statusCode;
  const headers = error.response?.headers;
  const details: ErrorDetails = {
    status,
    serviceCode: error.code,
    requestId: headers?.get('x-ms-request-id'),
    clientRequestId: headers?.get('x-ms-client-request-id'),
    retryAfterMs: parseRetryAfter(headers?.get('retry-after')),
    operation: OPERATION,
  };
  const summary = scrub(`${OPERATION}: ${status} ${error.code ?? ''} ${error.message}`.replace(/\s+/g, ' '));
  const options = { cause: new Error(summary), details, message: summary };
  if (status === 403)
    return new AppError(
      'Forbidden',
      'The bot may not write secrets to the Azure Key Vault. Give the bot’s app the “Key Vault Secrets Officer” ' +
        'role on the vault (or, on a vault using access policies, a policy with the secret permission “Set”).',
      options,
    );
  if (status === 401)
    return new AppError(
      'Unauthorized',
      'Azure Key Vault refused the bot’s token. Check that the vault is in the bot’s tenant and the app’s credentials.',
      options,
    );
  if (status === 429)
    return new AppError(
      'Throttled',
      'Azure Key Vault is throttling requests; trying again shortly.',
      options,
    );
  if (status === 503 || status === 504)
    return new AppError('ServiceUnavailable', 'Azure Key Vault is temporarily unavailable.', options);
  return new AppError('Unexpected', `Azure Key Vault failed (${status}).`, options);
}
