import { randomUUID } from 'node:crypto';
import type { CallLog } from '../callLog';
import type { SimulatorClock } from '../clock';
import type { FaultAction, FaultInjector } from '../faults/faultInjector';
import type { JsonObject } from '../http/jsonValue';
import { queryText } from '../http/requestTarget';
import { header, jsonResponse, type SimRequest, type SimResponse } from '../http/simMessages';
import { sleep } from '../http/sleep';
import type { IdGenerator } from '../idGenerator';
import { decodeJwt } from '../token/jwt';
import { guidFrom, KEY_VAULT_RESOURCE, type TokenService } from '../token/tokenService';
import {
  KeyVaultError,
  keyVaultErrorBody,
  keyVaultErrors,
  keyVaultFaultError,
  type VaultIdentity,
} from './keyVaultErrors';
import { parseSecretParameters } from './secretParameters';
import type { KeyVaultSecretVersion, SecretAction, SecretStore, VaultAccess } from './secretStore';

/** Key Vault's rule for object names. */
const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;

export interface KeyVaultApiDeps {
  tenantId: string;
  store: SecretStore;
  access: VaultAccess;
  tokens: TokenService;
  faults: FaultInjector;
  log: CallLog;
  clock: SimulatorClock;
  ids: IdGenerator;
  baseUrl: () => string;
  signal: AbortSignal;
}

interface Caller {
  appId: string;
}

/**
 * Azure Key Vault's secrets data plane at `{simulator}/secrets/…`, enough for `SecretClient`: the
 * bearer challenge, `PUT /secrets/{name}` (a new version each time) and `GET /secrets/{name}[/{version}]`,
 * with access granted by role assignments on the vault (the token carries no roles for it).
 */
export class KeyVaultApi {
  private readonly vault: VaultIdentity;

  constructor(private readonly deps: KeyVaultApiDeps) {
    const subscription = guidFrom(`subscription:${deps.tenantId}`);
    this.vault = {
      name: 'sim-vault',
      location: 'simulated',
      resourceId: `/subscriptions/${subscription}/resourcegroups/service-account-bot/providers/microsoft.keyvault/vaults/sim-vault`,
    };
  }

  async handle(request: SimRequest): Promise<SimResponse> {
    const { deps } = this;
    const started = Date.now();
    const seq = deps.log.reserve();
    const time = deps.clock.iso();
    let appId: string | undefined;
    const meta: { fault?: FaultAction } = {};
    let committed = false;
    let response: SimResponse;
    try {
      const caller = this.authenticate(request);
      appId = caller.appId;
      const result = await this.route(request, caller, meta);
      committed = result.committed;
      response = jsonResponse(200, result.body);
    } catch (err) {
      const error =
        err instanceof KeyVaultError ? err : new KeyVaultError(500, 'InternalServerError', String(err));
      committed = error.committed;
      response = jsonResponse(error.status, keyVaultErrorBody(error));
      if (error.status === 401) response.headers['WWW-Authenticate'] = this.challenge();
      if (error.retryAfterSeconds !== undefined)
        response.headers['Retry-After'] = String(error.retryAfterSeconds);
    }
    const clientRequestId = header(request, 'x-ms-client-request-id');
    Object.assign(response.headers, {
      'Cache-Control': 'no-cache',
      Pragma: 'no-cache',
      Expires: '-1',
      'x-ms-keyvault-region': this.vault.location,
      'x-ms-request-id': randomUUID(),
      'x-ms-keyvault-service-version': '1.9.0.0',
      'x-ms-keyvault-network-info': 'conn_type=Ipv4;addr=127.0.0.1;act_addr_fam=InterNetwork;',
      ...(clientRequestId !== undefined ? { 'x-ms-client-request-id': clientRequestId } : {}),
    });
    deps.log.record(seq, {
      api: 'keyvault',
      method: request.method,
      path: request.path,
      query: queryText(request.query),
      status: response.status,
      time,
      durationMs: Date.now() - started,
      mutating: request.method === 'PUT',
      committed,
      viaBatch: false,
      fault: meta.fault?.label,
      clientRequestId,
      appId,
    });
    return response;
  }

  /** What Key Vault answers a request without a (valid) token with: where to get one, and for what. */
  private challenge(): string {
    return `Bearer authorization="${this.deps.baseUrl()}/${this.deps.tenantId}", resource="${KEY_VAULT_RESOURCE}"`;
  }

  private authenticate(request: SimRequest): Caller {
    const authorization = header(request, 'authorization');
    const check = this.deps.tokens.check(authorization, 'keyvault');
    if (check.ok) return { appId: check.appId };
    const token = /^Bearer\s+(\S+)/i.exec(authorization ?? '')?.[1];
    const audience = token === undefined ? undefined : decodeJwt(token)?.payload.aud;
    throw keyVaultErrors.invalidToken(check.reason, {
      tenantId: this.deps.tenantId,
      audience: typeof audience === 'string' ? audience : undefined,
    });
  }

  private async route(
    request: SimRequest,
    caller: Caller,
    meta: { fault?: FaultAction },
  ): Promise<{ body: JsonObject; committed: boolean }> {
    if (!request.query.get('api-version')) throw keyVaultErrors.missingApiVersion();
    const [collection, name, version, ...rest] = request.path.split('/').filter((segment) => segment !== '');
    const isSet = request.method === 'PUT' && version === undefined;
    const isGet = request.method === 'GET';
    if (collection !== 'secrets' || name === undefined || rest.length > 0 || !(isSet || isGet))
      throw keyVaultErrors.noEndpoint(request.method, request.path);
    this.authorize(caller, isSet ? 'setSecret' : 'getSecret', name);
    if (!SECRET_NAME.test(name)) throw keyVaultErrors.invalidName(name);

    const fault = this.deps.faults.take({ api: 'keyvault', method: request.method, path: request.path });
    meta.fault = fault;
    if (fault !== undefined) {
      await sleep(fault.delayMs, this.deps.signal);
      if (fault.status !== undefined && !fault.afterCommit) throw withFault(fault, name);
    }
    const result = isSet
      ? { body: this.bundle(this.setSecret(request, name, caller)), committed: true }
      : { body: this.bundle(this.getSecret(name, version)), committed: false };
    if (fault?.afterCommit === true) {
      const error = withFault(fault, name);
      error.committed = result.committed;
      throw error;
    }
    return result;
  }

  private authorize(caller: Caller, action: SecretAction, secretName: string): void {
    if (this.deps.access.allows(caller.appId, action)) return;
    throw keyVaultErrors.forbiddenByRbac({
      appId: caller.appId,
      objectId: guidFrom(`sp:${caller.appId}`),
      tenantId: this.deps.tenantId,
      action,
      secretName,
      vault: this.vault,
    });
  }

  private setSecret(request: SimRequest, name: string, caller: Caller): KeyVaultSecretVersion {
    const parameters = parseSecretParameters(request);
    const now = Math.floor(this.deps.clock.now() / 1000);
    const stored: KeyVaultSecretVersion = {
      ...parameters,
      name: this.deps.store.find(name)?.name ?? name,
      version: this.deps.ids.guid().replace(/-/g, ''),
      created: now,
      updated: now,
      setBy: caller.appId,
    };
    this.deps.store.add(stored);
    return stored;
  }

  private getSecret(name: string, version: string | undefined): KeyVaultSecretVersion {
    const found = this.deps.store.find(name, version);
    if (found === undefined)
      throw keyVaultErrors.secretNotFound(version === undefined ? name : `${name}/${version}`);
    if (!found.enabled) throw keyVaultErrors.disabled();
    if (found.exp !== undefined && found.exp * 1000 <= this.deps.clock.now()) throw keyVaultErrors.expired();
    return found;
  }

  /** The SecretBundle Key Vault answers with. */
  private bundle(secret: KeyVaultSecretVersion): JsonObject {
    return {
      value: secret.value,
      ...(secret.contentType !== undefined ? { contentType: secret.contentType } : {}),
      id: `${this.deps.baseUrl()}/secrets/${secret.name}/${secret.version}`,
      attributes: {
        enabled: secret.enabled,
        ...(secret.nbf !== undefined ? { nbf: secret.nbf } : {}),
        ...(secret.exp !== undefined ? { exp: secret.exp } : {}),
        created: secret.created,
        updated: secret.updated,
        recoveryLevel: 'Recoverable+Purgeable',
        recoverableDays: 90,
      },
      ...(Object.keys(secret.tags).length > 0 ? { tags: secret.tags } : {}),
    };
  }
}

function withFault(fault: FaultAction, secretName: string): KeyVaultError {
  const error = keyVaultFaultError(fault.status ?? 504, secretName, fault.retryAfterSeconds);
  error.retryAfterSeconds = fault.retryAfterSeconds;
  return error;
}
