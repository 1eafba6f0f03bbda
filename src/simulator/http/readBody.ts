import type { IncomingMessage } from 'node:http';

/** Reads a request body as UTF-8 text, keeping at most `limitBytes` (`tooLarge` when it had more). */
export function readBody(
  request: IncomingMessage,
  limitBytes: number,
): Promise<{ text: string; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () =>
      resolve({ text: tooLarge ? '' : Buffer.concat(chunks).toString('utf8'), tooLarge }),
    );
    request.on('error', reject);
  });
}
