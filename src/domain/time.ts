/** A time as admins read it on cards and in messages: "2026-11-26 10:05 UTC". */
export function utcMinutes(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}
