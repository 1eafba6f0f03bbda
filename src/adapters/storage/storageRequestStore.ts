/**
 * Requests on any Bot Framework `Storage` (SqliteStorage, BlobDocumentStorage) with its eTag concurrency.
 *
 * Keys (`<prefix>` is the constructor's; each other segment is `storageKeySegment`):
 *   <prefix>/requests/<tenant>/<id>            { request }     the request; changed only by eTag CAS
 *   <prefix>/requesters/<tenant>/<requester>   { ids: [...] }  the requester's request ids (CAS-appended)
 *
 * `create` is decided by the requester index: the writer whose compare-and-set adds the id is the one
 * creator, everyone else gets Conflict; the document is written after the index (a create that dies
 * between the two leaves an id that `listByRequester` skips). See casDocuments.ts for the one window the
 * Storage contract leaves open (the very first document of a requester, across instances).
 */
import type { Storage } from 'botbuilder';
import { AppError } from '../../domain/errors';
import {
  CasDocuments,
  type CasOptions,
  checkKeyPrefix,
  DEFAULT_KEY_PREFIX,
  isRecord,
  isStringArray,
  storageKeySegment,
} from '../../lib/casDocuments';
import { canTransition, TRANSITIONS } from '../../domain/request';
import type { Decision, RequestAmendment, RequestState, ServiceAccountRequest } from '../../domain/request';
import type { RequestStore } from '../../domain/requestPorts';

const STATES = new Set<string>(Object.keys(TRANSITIONS));

function isActor(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && typeof value.aadObjectId === 'string' && typeof value.name === 'string';
}

function isDetails(value: unknown): boolean {
  if (!isRecord(value) || !isRecord(value.contact) || !isStringArray(value.acknowledgedWarnings))
    return false;
  const folders = value.publicFolders;
  return (
    ['displayName', 'username', 'domain'].every((name) => typeof value[name] === 'string') &&
    Object.values(value.contact).every((field) => field === undefined || typeof field === 'string') &&
    (value.usageLocation === undefined || typeof value.usageLocation === 'string') &&
    (folders === undefined ||
      (isRecord(folders) && typeof folders.skuId === 'string' && typeof folders.skuName === 'string'))
  );
}

export function isServiceAccountRequest(value: unknown): value is ServiceAccountRequest {
  return (
    isRecord(value) &&
    ['id', 'tenantId', 'createdAt', 'updatedAt', 'expiresAt'].every(
      (name) => typeof value[name] === 'string',
    ) &&
    typeof value.state === 'string' &&
    STATES.has(value.state) &&
    typeof value.version === 'number' &&
    Number.isInteger(value.version) &&
    isActor(value.requester) &&
    isActor(value.approver) &&
    typeof value.approver.userPrincipalName === 'string' &&
    isDetails(value.details) &&
    (value.announcedAt === undefined || typeof value.announcedAt === 'string') &&
    (value.owners === undefined || (Array.isArray(value.owners) && value.owners.every(isActor))) &&
    (value.accountDisabled === undefined ||
      (isRecord(value.accountDisabled) &&
        isActor(value.accountDisabled.by) &&
        typeof value.accountDisabled.at === 'string'))
  );
}

interface RequestDocument {
  request: ServiceAccountRequest;
}
interface IndexDocument {
  ids: string[];
}

const parseRequest = (raw: unknown): RequestDocument | undefined =>
  isRecord(raw) && isServiceAccountRequest(raw.request) ? { request: raw.request } : undefined;
const parseIndex = (raw: unknown): IndexDocument | undefined =>
  isRecord(raw) && isStringArray(raw.ids) ? { ids: raw.ids } : undefined;

export class StorageRequestStore implements RequestStore {
  private readonly docs: CasDocuments;
  private readonly prefix: string;

  constructor(storage: Storage, keyPrefix = DEFAULT_KEY_PREFIX, options: CasOptions = {}) {
    this.docs = new CasDocuments(storage, options);
    this.prefix = checkKeyPrefix(keyPrefix);
  }

  async create(request: ServiceAccountRequest): Promise<void> {
    if (!isServiceAccountRequest(request) || request.id === '' || request.tenantId === '') {
      throw new AppError('BadRequest', 'The request is incomplete.', {
        message: 'Storage: malformed request',
      });
    }
    const key = this.requestKey(request.tenantId, request.id);
    const conflict = new AppError('Conflict', 'This request was already submitted; `status` shows it.', {
      message: `Storage: request ${request.id} already exists`,
    });
    if ((await this.docs.read(key, parseRequest)) !== undefined) throw conflict;
    let added = false;
    await this.docs.update(
      this.indexKey(request.tenantId, request.requester.aadObjectId),
      parseIndex,
      { ids: [] },
      (index) => {
        added = !index.ids.includes(request.id);
        return added ? { ids: [...index.ids, request.id] } : undefined;
      },
    );
    // Only the writer whose compare-and-set added the id to the index creates the document.
    if (!added || (await this.docs.read(key, parseRequest)) !== undefined) throw conflict;
    await this.docs.writeOver(key, { request: structuredClone(request) });
  }

  async get(tenantId: string, id: string): Promise<ServiceAccountRequest | undefined> {
    const doc = await this.docs.read(this.requestKey(tenantId, id), parseRequest);
    return doc !== undefined && doc.value.request.tenantId === tenantId && doc.value.request.id === id
      ? doc.value.request
      : undefined;
  }

  async listByRequester(tenantId: string, requesterId: string): Promise<ServiceAccountRequest[]> {
    const index = await this.docs.read(this.indexKey(tenantId, requesterId), parseIndex);
    if (index === undefined || index.value.ids.length === 0) return [];
    const ids = index.value.ids;
    const items = await this.docs.readMany(ids.map((id) => this.requestKey(tenantId, id)));
    const found: { request: ServiceAccountRequest; position: number }[] = [];
    ids.forEach((id, position) => {
      const request = parseRequest(items[this.requestKey(tenantId, id)])?.request;
      // A missing document is a create that never finished; a foreign one is an id collision.
      if (
        request?.tenantId === tenantId &&
        request.id === id &&
        request.requester.aadObjectId === requesterId
      ) {
        found.push({ request, position });
      }
    });
    found.sort((a, b) => b.request.createdAt.localeCompare(a.request.createdAt) || b.position - a.position);
    return found.map((entry) => entry.request);
  }

  async transition(
    tenantId: string,
    id: string,
    expected: { version: number; from: readonly RequestState[] },
    change: { state: RequestState; at: string; decision?: Decision },
  ): Promise<ServiceAccountRequest | undefined> {
    return this.change(tenantId, id, (current) =>
      current.version !== expected.version ||
      !expected.from.includes(current.state) ||
      !canTransition(current.state, change.state)
        ? undefined
        : {
            ...current,
            state: change.state,
            version: current.version + 1,
            updatedAt: change.at,
            ...(change.decision === undefined ? {} : { decision: change.decision }),
          },
    );
  }

  async recordAnnounced(
    tenantId: string,
    id: string,
    at: string,
  ): Promise<ServiceAccountRequest | undefined> {
    return this.change(tenantId, id, (current) =>
      current.state !== 'Ready' || current.announcedAt !== undefined
        ? undefined
        : { ...current, version: current.version + 1, updatedAt: at, announcedAt: at },
    );
  }

  async amend(
    tenantId: string,
    id: string,
    expected: { version: number; states: readonly RequestState[] },
    change: RequestAmendment,
    at: string,
  ): Promise<ServiceAccountRequest | undefined> {
    return this.change(tenantId, id, (current) => {
      if (current.version !== expected.version || !expected.states.includes(current.state)) return undefined;
      const { accountDisabled: _cleared, ...rest } = current;
      const updated: ServiceAccountRequest = {
        ...(change.accountDisabled === null ? rest : current),
        version: current.version + 1,
        updatedAt: at,
      };
      if (change.approver !== undefined) updated.approver = structuredClone(change.approver);
      if (change.owners !== undefined) updated.owners = structuredClone(change.owners);
      if (change.accountDisabled !== undefined && change.accountDisabled !== null)
        updated.accountDisabled = structuredClone(change.accountDisabled);
      return isServiceAccountRequest(updated) ? updated : undefined;
    });
  }

  /**
   * Compare-and-set on the request's eTag: `next` says what the stored request becomes, or undefined
   * when the change no longer applies. Undefined when it did not apply or another writer kept winning.
   */
  private async change(
    tenantId: string,
    id: string,
    next: (current: ServiceAccountRequest) => ServiceAccountRequest | undefined,
  ): Promise<ServiceAccountRequest | undefined> {
    const key = this.requestKey(tenantId, id);
    for (let attempt = 1; attempt <= 3; attempt++) {
      const doc = await this.docs.read(key, parseRequest);
      const current = doc?.value.request;
      if (doc === undefined || current === undefined || current.tenantId !== tenantId) return undefined;
      const updated = next(current);
      if (updated === undefined) return undefined;
      if (await this.docs.writeIfMatch(key, { request: updated }, doc.eTag)) return updated;
      // Another writer changed the document: the next read sees whether the change still applies.
    }
    return undefined;
  }

  private requestKey(tenantId: string, id: string): string {
    return `${this.prefix}/requests/${storageKeySegment(tenantId)}/${storageKeySegment(id)}`;
  }

  private indexKey(tenantId: string, requesterId: string): string {
    return `${this.prefix}/requesters/${storageKeySegment(tenantId)}/${storageKeySegment(requesterId)}`;
  }
}
