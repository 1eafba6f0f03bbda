import type { IdGenerator } from '../idGenerator';
import type { TenantState } from '../state/tenantState';
import type { CmdletParameters } from './cmdletParameters';

export interface CmdletContext {
  state: TenantState;
  params: CmdletParameters;
  /** The domain controller named in Exchange's "couldn't be found on '…'" messages. */
  server: string;
  ids: IdGenerator;
}

/** One Exchange cmdlet the simulator runs. */
export interface Cmdlet {
  name: string;
  parameters: readonly string[];
  mandatory: readonly string[];
  /**
   * The management roles whose role entries include the cmdlet (what `Get-ManagementRole -Cmdlet`
   * answers). An app holding none of them does not have the cmdlet in its session: "not recognized".
   */
  roles: readonly string[];
  run(ctx: CmdletContext): Array<Record<string, unknown>>;
}

/** `Get-*` and `Test-*` cmdlets only read; everything else asks for a change. */
export function isMutatingCmdlet(name: string): boolean {
  return !/^(get|test)-/i.test(name);
}

/** PowerShell `-like` matching for identities with `*` wildcards, case-insensitive. */
export function likeMatch(pattern: string, value: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );
  return regex.test(value);
}
