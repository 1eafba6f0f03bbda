/**
 * Narrowing helpers for JSON that enters from Microsoft 365: read a field as the type the domain
 * expects, or a neutral value when it is missing or of another type. Never `any`.
 */
export type Json = Record<string, unknown>;

export function obj(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

export function array(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

export function bool(value: unknown, fallback = false): boolean {
  return typeof value === 'boolean' ? value : fallback;
}

export function strings(value: unknown): string[] {
  return array(value).filter((v): v is string => typeof v === 'string');
}
