/** Splits a request target (`/v1.0/users/a%40b.com?$top=1`) into a decoded path and its query. */
export function parseRequestTarget(target: string): { path: string; query: URLSearchParams } {
  const url = new URL(target, 'http://simulator.invalid');
  const path = url.pathname
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join('/');
  return { path, query: url.searchParams };
}

/** The query as sent, readable (`$top=2`, not `%24top=2`). */
export function queryText(query: URLSearchParams): string {
  return [...query].map(([key, value]) => `${key}=${value}`).join('&');
}
