/**
 * Who reaches the bot and who decides: the tenants whose activities are accepted, the requester and
 * approver groups, and the approvals channel.
 */
import { GUID, type SettingsReader } from './reader';

export interface AccessSettings {
  /** Tenants besides the bot's own whose Teams activities are accepted. */
  allowedTenantIds: string[];
  /** Members of this Entra group may ask for the service account, besides the admin roles. */
  requesterGroupId?: string;
  /** Members of this Entra group may decide requests posted in the approvals channel. */
  approverGroupId?: string;
  /** A Teams channel (conversation id) that gets the approval card when the approver cannot be reached. */
  approvalsChannelId?: string;
}

export function readAccess(r: SettingsReader): AccessSettings {
  const allowedTenantIds = (r.read('ALLOWED_TENANT_IDS') ?? '')
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== '');
  const badTenants = allowedTenantIds.filter((t) => !GUID.test(t));
  if (badTenants.length > 0) {
    r.problem(`ALLOWED_TENANT_IDS: each entry must be a tenant GUID (got "${badTenants.join('", "')}")`);
  }
  const requesterGroupId = r.read('REQUESTER_GROUP_ID')?.toLowerCase();
  if (requesterGroupId !== undefined && !GUID.test(requesterGroupId)) {
    r.problem(`REQUESTER_GROUP_ID: must be the group's object id, a GUID (got "${requesterGroupId}")`);
  }

  const approverGroupId = r.read('APPROVER_GROUP_ID')?.toLowerCase();
  if (approverGroupId !== undefined && !GUID.test(approverGroupId)) {
    r.problem(`APPROVER_GROUP_ID: must be the group's object id, a GUID (got "${approverGroupId}")`);
  }
  const approvalsChannelId = r.read('APPROVALS_CHANNEL_ID');
  if (approvalsChannelId !== undefined && !/^19:[^\s/]+@thread\.[a-z0-9]+$/i.test(approvalsChannelId)) {
    r.problem(
      `APPROVALS_CHANNEL_ID: must be a Teams channel id such as 19:…@thread.tacv2 (got "${approvalsChannelId}")`,
    );
  }
  return { allowedTenantIds, requesterGroupId, approverGroupId, approvalsChannelId };
}
