import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { parseJson } from './jsonValue';
import { readBody } from './readBody';
import { parseRequestTarget } from './requestTarget';
import type { Api, SimRequest, SimResponse } from './simMessages';

export interface SimServerOptions {
  host: string;
  port: number;
  https?: { key: string; cert: string };
  bodyLimitBytes: number;
  /** Counts an HTTP request actually received. */
  onRoundTrip(api: Api): void;
  dispatch(api: Api, request: SimRequest): Promise<SimResponse>;
}

export interface SimServer {
  url: string;
  close(): Promise<void>;
}

/** Which api a path belongs to: Graph versions, Exchange's admin API, Key Vault secrets, else Entra ID. */
export function apiOf(path: string): Api {
  if (/^\/(v1\.0|beta)(\/|$)/i.test(path)) return 'graph';
  if (/^\/adminapi(\/|$)/i.test(path)) return 'exchange';
  if (/^\/secrets(\/|$)/i.test(path)) return 'keyvault';
  return 'token';
}

/** One HTTP(S) server on loopback for all four apis: parses requests, writes JSON answers. */
export async function startSimServer(options: SimServerOptions): Promise<SimServer> {
  let closing = false;
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed)
        write(res, {
          status: 500,
          headers: {},
          body: { error: { code: 'InternalServerError', message: String(err) } },
        });
    });
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const { path, query } = parseRequestTarget(req.url ?? '/');
    const api = apiOf(path);
    options.onRoundTrip(api);
    const { text, tooLarge } = await readBody(req, options.bodyLimitBytes);
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(req.headers))
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    const request: SimRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      path,
      query,
      headers,
      body: undefined,
    };
    if (tooLarge) request.bodyProblem = 'too-large';
    else if (api === 'token') request.body = Object.fromEntries(new URLSearchParams(text));
    else if (text.trim() !== '') {
      const parsed = parseJson(text);
      if (parsed.ok) request.body = parsed.value;
      else request.bodyProblem = 'invalid-json';
    }
    const response = await options.dispatch(api, request);
    if (closing || res.destroyed) {
      res.destroy();
      return;
    }
    write(res, response);
  };

  const server: Server =
    options.https === undefined
      ? createHttpServer(handler)
      : createHttpsServer({ key: options.https.key, cert: options.https.cert }, handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `${options.https === undefined ? 'http' : 'https'}://${options.host}:${port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function write(res: ServerResponse, response: SimResponse): void {
  const payload = response.body === undefined ? '' : JSON.stringify(response.body);
  const headers: Record<string, string> = { ...response.headers, Date: new Date().toUTCString() };
  if (response.body !== undefined || response.status !== 204)
    headers['Content-Length'] = String(Buffer.byteLength(payload));
  res.writeHead(response.status, headers);
  res.end(payload);
}
