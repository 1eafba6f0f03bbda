/** Where requests and their audit trail are kept. */
import type { AuditRecord, Decision, RequestAmendment, RequestState, ServiceAccountRequest } from './request';

export interface RequestStore {
  /** Stores a new request (version 1). Fails if the id exists. */
  create(request: ServiceAccountRequest): Promise<void>;
  get(tenantId: string, id: string): Promise<ServiceAccountRequest | undefined>;
  /** The requester's requests, newest first. */
  listByRequester(tenantId: string, requesterId: string): Promise<ServiceAccountRequest[]>;
  /**
   * Compare-and-set: applies `change` only when the stored request is still at `expectedVersion`
   * and in one of `from`. Returns the updated request, or `undefined` (nothing changed) when another
   * writer got there first or the state no longer allows it.
   */
  transition(
    tenantId: string,
    id: string,
    expected: { version: number; from: readonly RequestState[] },
    change: { state: RequestState; at: string; decision?: Decision },
  ): Promise<ServiceAccountRequest | undefined>;
  /**
   * Compare-and-set: records that a Ready request's announcement went out, once. Returns the updated
   * request, or `undefined` when it is not Ready or was already recorded.
   */
  recordAnnounced(tenantId: string, id: string, at: string): Promise<ServiceAccountRequest | undefined>;
  /**
   * Compare-and-set: changes the request's people or marks (`RequestAmendment`), never its state, only
   * when the stored request is still at `expected.version` and in one of `expected.states`. Returns the
   * updated request, or `undefined` (nothing changed) when another writer got there first.
   */
  amend(
    tenantId: string,
    id: string,
    expected: { version: number; states: readonly RequestState[] },
    change: RequestAmendment,
    at: string,
  ): Promise<ServiceAccountRequest | undefined>;
}

export interface AuditLog {
  append(record: AuditRecord): Promise<void>;
  /** The newest `limit` records of a tenant, newest first. */
  recent(tenantId: string, limit: number): Promise<AuditRecord[]>;
  forRequest(tenantId: string, requestId: string): Promise<AuditRecord[]>;
}
