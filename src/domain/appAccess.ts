/**
 * RBAC for Applications: instead of a service account with ApplicationImpersonation (removed from
 * Exchange Online in February 2025), the sync product's own app registration is granted Exchange
 * application roles, optionally limited to a management scope (docs/microsoft365.md, "RBAC for
 * Applications"). These are the roles an admin may choose, what each allows, and what a grant is.
 */

/** Exchange Online's application roles, with what each lets the app do (Microsoft's list). */
export const APPLICATION_ROLES: Readonly<Record<string, string>> = {
  'Application Contacts.ReadWrite': 'Create, read, update and delete contacts in the mailboxes in scope.',
  'Application Contacts.Read': 'Read contacts in the mailboxes in scope.',
  'Application Calendars.ReadWrite':
    'Create, read, update and delete calendar events in the mailboxes in scope.',
  'Application Calendars.Read': 'Read calendar events in the mailboxes in scope.',
  'Application Mail.ReadWrite': 'Create, read, update and delete mail (not send) in the mailboxes in scope.',
  'Application Mail.Read': 'Read mail in the mailboxes in scope.',
  'Application Mail.ReadBasic':
    'Read mail without bodies, previews and attachments in the mailboxes in scope.',
  'Application Mail.Send': 'Send mail as any user in scope.',
  'Application MailboxSettings.Read': 'Read mailbox settings in scope.',
  'Application MailboxSettings.ReadWrite': 'Read and change mailbox settings in scope.',
  'Application Mail Full Access': 'Mail.ReadWrite and Mail.Send in the mailboxes in scope.',
  'Application Exchange Full Access':
    'Mail, mailbox settings, calendars and contacts, read and write, in scope.',
  'Application EWS.AccessAsApp':
    'Exchange Web Services with full access to the mailboxes in scope (EWS is being turned off in Exchange Online).',
};

/** What GAL and contact sync needs. */
export const DEFAULT_APPLICATION_ROLES: readonly string[] = ['Application Contacts.ReadWrite'];

/** Which mailboxes the app may reach. */
export type AppAccessScope =
  | { kind: 'organization' }
  /** Members of a mail-enabled group (its name or distinguished name, as Exchange knows it). */
  | { kind: 'group'; group: string }
  /** An OPATH recipient filter, e.g. `Department -eq 'Sales'`. */
  | { kind: 'filter'; filter: string };

/** The scope an admin chose on the card: its kind, and the group name or filter it needs. */
export function accessScope(kind: AppAccessScope['kind'], value: string): AppAccessScope {
  switch (kind) {
    case 'organization':
      return { kind };
    case 'group':
      return { kind, group: value };
    case 'filter':
      return { kind, filter: value };
  }
}

/** What an approved request grants the sync product's app. */
export interface AppAccessSpec {
  requestId: string;
  /** The app registration's application (client) id. */
  appId: string;
  /** The object id of its service principal (enterprise application) in this tenant. */
  servicePrincipalId: string;
  displayName: string;
  roles: string[];
  scope: AppAccessScope;
}

/** The management scope a request makes (one per request, so two grants never share one). */
export function managementScopeName(spec: Pick<AppAccessSpec, 'requestId' | 'displayName'>): string {
  return `${spec.displayName} scope ${spec.requestId.slice(0, 8)}`.slice(0, 64);
}

/**
 * The name of one role assignment the request makes. Named, so a write Exchange committed but did not
 * confirm (a timeout, then a retry) is refused as taken instead of making a second assignment.
 */
export function roleAssignmentName(spec: Pick<AppAccessSpec, 'requestId'>, role: string): string {
  return `${role} ${spec.requestId.slice(0, 8)}`.slice(0, 64);
}

/** The recipient filter of a scope, or undefined for the whole organization. */
export function recipientFilter(scope: AppAccessScope): string | undefined {
  switch (scope.kind) {
    case 'organization':
      return undefined;
    case 'group':
      return `MemberOfGroup -eq '${scope.group.replace(/'/g, "''")}'`;
    case 'filter':
      return scope.filter;
  }
}

/**
 * Whether the filter Exchange stored for a scope is the one a request asked for. Exchange keeps a
 * filter in its own form (Get-ManagementScope's RecipientFilter): property names and operators in its
 * casing, values in single quotes, parentheses around each comparison, and a group named in
 * `MemberOfGroup` resolved to its distinguished name (CN=<name>,OU=…). So the two are compared with
 * case, quoting and parentheses set aside, a DN standing for the group its first CN names.
 */
export function sameRecipientFilter(stored: string, asked: string): boolean {
  const a = filterTokens(stored);
  const b = filterTokens(asked);
  return a !== undefined && b !== undefined && a.length === b.length && a.every((t, i) => t === b[i]);
}

/** A filter's words and values, in lower case, without parentheses and braces; undefined when unreadable. */
function filterTokens(filter: string): string[] | undefined {
  const tokens: string[] = [];
  const text = filter.trim();
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s|[(){}]/.test(c)) {
      i++;
    } else if (c === "'" || c === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) return undefined;
        if (text[i] === c && text[i + 1] === c) {
          value += c;
          i += 2;
        } else if (text[i] === c) {
          i++;
          break;
        } else value += text[i++];
      }
      tokens.push(groupOfDn(value).toLowerCase());
    } else {
      let word = '';
      while (i < text.length && !/\s|[(){}'"]/.test(text[i])) word += text[i++];
      tokens.push(groupOfDn(word).toLowerCase());
    }
  }
  return tokens;
}

/** `CN=Sync Users,OU=…` → `Sync Users` (a comma escaped as `\,` stays in the name); anything else as is. */
function groupOfDn(value: string): string {
  const match = /^CN=((?:[^,\\]|\\.)*),(?:OU|CN|DC)=/i.exec(value);
  return match === null ? value : match[1].replace(/\\(.)/g, '$1');
}

/** The scope in words, for cards and the audit trail. */
export function describeScope(scope: AppAccessScope): string {
  switch (scope.kind) {
    case 'organization':
      return 'every mailbox in the organization';
    case 'group':
      return `members of ${scope.group}`;
    case 'filter':
      return `recipients matching ${scope.filter}`;
  }
}
