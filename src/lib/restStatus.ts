/** The HTTP status an Azure SDK call failed with (`RestError.statusCode`), or undefined. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}
