import type { FaultStatus } from '../faults/faultInjector';
import type { TokenRejection } from '../token/tokenService';

/** A Key Vault failure: `{"error":{"code","message","innererror"?:{"code"}}}`. Never carries a secret value. */
export class KeyVaultError extends Error {
  retryAfterSeconds?: number;
  /** Set by an `afterCommit` fault: the secret was stored before this error. */
  committed = false;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly innerCode?: string,
  ) {
    super(message);
  }
}

export function keyVaultErrorBody(err: KeyVaultError): Record<string, unknown> {
  return {
    error: {
      code: err.code,
      message: err.message,
      ...(err.innerCode !== undefined ? { innererror: { code: err.innerCode } } : {}),
    },
  };
}

const NOT_FOUND_HELP =
  'If you recently deleted this secret you may be able to recover it using the correct recovery command. ' +
  'For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182';

/** Where the simulated vault would live in Azure, for the texts of 403 answers. */
export interface VaultIdentity {
  name: string;
  location: string;
  /** ARM id of the vault, lower case. */
  resourceId: string;
}

export const keyVaultErrors = {
  invalidToken: (reason: TokenRejection, context: { tenantId: string; audience?: string }) => {
    const message =
      reason === 'missing'
        ? 'Request is missing a Bearer or PoP token.'
        : reason === 'audience'
          ? `AKV10022: Invalid audience. Expected https://vault.azure.net, found: ${context.audience ?? '(none)'}.`
          : reason === 'tenant'
            ? `AKV10032: Invalid issuer. Expected one of https://sts.windows.net/${context.tenantId}/, https://login.microsoftonline.com/${context.tenantId}/v2.0.`
            : reason === 'expired'
              ? 'Error validating token: the token has expired (or is not yet valid).'
              : `Error validating token: the token is ${reason === 'signature' ? 'not signed by the tenant' : 'malformed'}.`;
    return new KeyVaultError(401, 'Unauthorized', message);
  },
  missingApiVersion: () =>
    new KeyVaultError(400, 'BadParameter', 'The api-version query parameter is required for all requests.'),
  noEndpoint: (method: string, path: string) =>
    new KeyVaultError(
      404,
      'NotFound',
      `The simulated vault has no endpoint for ${method} ${path}: it serves PUT and GET on /secrets/{name}.`,
    ),
  invalidName: (name: string) =>
    new KeyVaultError(400, 'BadParameter', `The request URI contains an invalid name: ${name}`),
  badParameter: (message: string) => new KeyVaultError(400, 'BadParameter', message),
  secretNotFound: (nameOrId: string) =>
    new KeyVaultError(
      404,
      'SecretNotFound',
      `A secret with (name/id) ${nameOrId} was not found in this key vault. ${NOT_FOUND_HELP}`,
    ),
  disabled: () =>
    new KeyVaultError(
      403,
      'Forbidden',
      'Operation get is not allowed on a disabled secret.',
      'SecretDisabled',
    ),
  expired: () => new KeyVaultError(403, 'Forbidden', 'Operation get is not allowed on an expired secret.'),
  forbiddenByRbac: (params: {
    appId: string;
    objectId: string;
    tenantId: string;
    action: string;
    secretName: string;
    vault: VaultIdentity;
  }) =>
    new KeyVaultError(
      403,
      'Forbidden',
      [
        'Caller is not authorized to perform action on resource.',
        'If role assignments, deny assignments or role definitions were changed recently, please observe propagation time.',
        `Caller: appid=${params.appId};oid=${params.objectId};iss=https://sts.windows.net/${params.tenantId}/`,
        `Action: 'Microsoft.KeyVault/vaults/secrets/${params.action}/action'`,
        `Resource: '${params.vault.resourceId}/secrets/${params.secretName.toLowerCase()}'`,
        'Assignment: (not found)',
        'DenyAssignmentId: null',
        'DecisionReason: null ',
        `Vault: ${params.vault.name};location=${params.vault.location}`,
        '',
      ].join('\r\n'),
      'ForbiddenByRbac',
    ),
};

/** An injected fault in Key Vault's own words. */
export function keyVaultFaultError(
  status: FaultStatus,
  secretName: string,
  retryAfterSeconds?: number,
): KeyVaultError {
  switch (status) {
    case 429:
      return new KeyVaultError(
        429,
        'Throttled',
        `Rate limit is exceeded. Try again in ${retryAfterSeconds ?? 1} seconds.`,
      );
    case 404:
      return keyVaultErrors.secretNotFound(secretName);
    case 500:
      return new KeyVaultError(500, 'InternalServerError', 'An unexpected error occurred in the vault.');
    case 503:
      return new KeyVaultError(
        503,
        'ServiceUnavailable',
        'The service is temporarily unavailable. Please try again later.',
      );
    case 504:
      return new KeyVaultError(504, 'GatewayTimeout', 'The operation timed out.');
  }
}
