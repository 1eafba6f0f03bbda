/**
 * Least privilege, checked at start-up: the permissions the app's own tokens carry against what the
 * bot needs. Missing ones are logged as a warning (and shown to admins in `help`) before anyone meets
 * them mid-flow; extra ones too, as the grant is wider than needed.
 */
import type { Config } from '../config';
import type { TenantPorts } from '../adapters/tenantConnection';
import { checkPermissions } from '../domain/permissions';
import type { Logger } from '../logger';

/** The line admins see in `help` about the app's permissions. */
export async function checkReadiness(tenant: TenantPorts, config: Config, logger: Logger): Promise<string> {
  try {
    const report = checkPermissions(await tenant.grantedRoles(), {
      groupsConfigured: config.requesterGroupId !== undefined || config.approverGroupId !== undefined,
    });
    if (report.missing.length > 0) {
      logger.warn('The app is missing application permissions', {
        missing: report.missing.map((m) => `${m.api}: ${m.permission}`),
      });
    } else if (report.extra.length > 0) {
      logger.warn('The app has application permissions it does not need', { extra: report.extra });
    } else {
      logger.info('The app has exactly the application permissions it needs');
    }
    return report.summary;
  } catch (error) {
    logger.warn('Could not read the app’s own permissions', { error });
    return 'I could not read my own permissions from Microsoft Entra ID; check the app’s credential.';
  }
}
