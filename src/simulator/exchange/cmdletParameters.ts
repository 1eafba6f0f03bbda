import { isRecord } from '../http/jsonValue';
import { exchangeErrors } from './exchangeErrors';

/** A cmdlet's `Parameters`, looked up case-insensitively as PowerShell binds them. */
export class CmdletParameters {
  private readonly values = new Map<string, unknown>();

  constructor(raw: unknown, allowed: readonly string[], mandatory: readonly string[]) {
    const entries = isRecord(raw) ? Object.entries(raw) : [];
    for (const [name, value] of entries) {
      const canonical = allowed.find((candidate) => candidate.toLowerCase() === name.toLowerCase());
      if (canonical === undefined) throw exchangeErrors.unknownParameter(name);
      this.values.set(canonical, value);
    }
    const missing = mandatory.filter((name) => !this.has(name));
    if (missing.length > 0) throw exchangeErrors.missingParameters(missing);
  }

  has(name: string): boolean {
    const value = this.values.get(name);
    return value !== undefined && value !== null && value !== '';
  }

  string(name: string): string | undefined {
    const value = this.values.get(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw exchangeErrors.invalidArgument(name, JSON.stringify(value));
  }

  /** A string or array parameter as a list (PowerShell accepts one value for an array parameter). */
  strings(name: string): string[] {
    const value = this.values.get(name);
    if (value === undefined || value === null) return [];
    const list = Array.isArray(value) ? value : [value];
    return list.map((item) => {
      if (typeof item !== 'string') throw exchangeErrors.invalidArgument(name, JSON.stringify(item));
      return item;
    });
  }

  switch(name: string): boolean {
    const value = this.values.get(name);
    if (value === undefined || value === null) return false;
    if (typeof value === 'boolean') return value;
    if (typeof value === 'string' && /^\$?(true|false)$/i.test(value)) return /true/i.test(value);
    throw exchangeErrors.invalidArgument(name, JSON.stringify(value));
  }
}
