/**
 * Reading one setting: trimmed, empty as unset, checked against what it may be. A malformed value is
 * noted as a problem (all of them are reported together) and the default is used meanwhile.
 */

export type Env = Readonly<Record<string, string | undefined>>;

/** A GUID: tenant, app and object ids. */
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TENANT_DOMAIN = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export interface SettingsReader {
  /** The value of `name`, trimmed; undefined when unset or empty. */
  read(name: string): string | undefined;
  /** One of `allowed`, matched without regard to case. */
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T;
  number(name: string, fallback: number, min: number, max: number, integer: boolean): number;
  /** An absolute https base URL (http on loopback), without a trailing slash. */
  url(name: string, fallback: string): string;
  /** A tenant GUID or a domain name such as contoso.onmicrosoft.com. */
  tenantId(name: string, value: string | undefined): string | undefined;
  /** Notes a problem found with a setting. */
  problem(message: string): void;
}

/** A reader of `env` that adds every problem it finds to `problems`. */
export function settingsReader(env: Env, problems: string[]): SettingsReader {
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };

  function oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const match = allowed.find((a) => a.toLowerCase() === raw.toLowerCase());
    if (match === undefined) {
      problems.push(`${name}: must be one of ${allowed.join(', ')} (got "${raw}")`);
      return fallback;
    }
    return match;
  }

  function number(name: string, fallback: number, min: number, max: number, integer: boolean): number {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw) || (integer && !Number.isInteger(value)) || value < min || value > max) {
      problems.push(
        `${name}: must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max} (got "${raw}")`,
      );
      return fallback;
    }
    return value;
  }

  function url(name: string, fallback: string): string {
    const raw = read(name) ?? fallback;
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      problems.push(`${name}: must be an absolute URL (got "${raw}")`);
      return fallback;
    }
    const loopback = LOOPBACK_HOSTS.has(parsed.hostname);
    if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback)) {
      problems.push(`${name}: must use https (http is accepted for loopback addresses only) (got "${raw}")`);
    }
    if (parsed.search !== '' || parsed.hash !== '') {
      problems.push(`${name}: must be a base URL without query or fragment (got "${raw}")`);
    }
    return raw.replace(/\/+$/, '');
  }

  function tenantId(name: string, value: string | undefined): string | undefined {
    if (value !== undefined && !GUID.test(value) && !TENANT_DOMAIN.test(value)) {
      problems.push(
        `${name}: must be a tenant GUID or a domain such as contoso.onmicrosoft.com (got "${value}")`,
      );
    }
    return value;
  }

  return { read, oneOf, number, url, tenantId, problem: (message) => problems.push(message) };
}
