/**
 * A Bot Framework connector on loopback: what Teams' service URL would be. Records every activity the
 * bot sends or updates, and can be told to fail, so tests assert on what a user would see.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ConnectorCall {
  method: string;
  path: string;
  conversationId: string;
  activityId?: string;
  body: Record<string, unknown>;
  authorization?: string;
}

export interface FakeConnector {
  serviceUrl: string;
  calls: ConnectorCall[];
  /** The next `count` calls answer `status` (the bot sees a failed send). */
  failNext(count: number, status: number): void;
  /** Every call to this conversation answers `status` from now on (404 gone, 403 blocked); 0 stops it. */
  failConversation(conversationId: string, status: number): void;
  /** Users (Entra object ids) who do not have the app: creating a chat with them answers 403. */
  notInstalled: Set<string>;
  /** Conversations the bot created (POST /v3/conversations), with the member it named. */
  created: { conversationId: string; memberId: string; tenantId?: string }[];
  /** Every call waits `ms` before answering (a slow Teams). */
  setDelay(ms: number): void;
  /** Resolves once `count` activities have been received (sent or updated). */
  waitForActivities(count: number, timeoutMs?: number): Promise<ConnectorCall[]>;
  close(): Promise<void>;
}

const ACTIVITY_PATH = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/;

export async function startFakeConnector(): Promise<FakeConnector> {
  const calls: ConnectorCall[] = [];
  const waiters: { count: number; resolve: (c: ConnectorCall[]) => void }[] = [];
  let nextId = 1;
  let failures: { count: number; status: number } = { count: 0, status: 500 };
  let delayMs = 0;
  const failingConversations = new Map<string, number>();
  const notInstalled = new Set<string>();
  const created: { conversationId: string; memberId: string; tenantId?: string }[] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => setTimeout(() => answer(), delayMs));
    const answer = (): void => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname === '/v3/conversations' && req.method === 'POST') {
        createConversation(Buffer.concat(chunks).toString('utf8'));
        return;
      }
      const match = ACTIVITY_PATH.exec(url.pathname);
      if (match === null || (req.method !== 'POST' && req.method !== 'PUT')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ error: { code: 'NotFound', message: `No route ${req.method} ${url.pathname}` } }),
        );
        return;
      }
      const text = Buffer.concat(chunks).toString('utf8');
      const body = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
      calls.push({
        method: req.method,
        path: url.pathname,
        conversationId: decodeURIComponent(match[1]),
        activityId: match[2] === undefined ? undefined : decodeURIComponent(match[2]),
        body,
        authorization: req.headers.authorization,
      });
      for (const waiter of [...waiters]) {
        if (calls.length >= waiter.count) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(calls.slice());
        }
      }
      const failing = failingConversations.get(decodeURIComponent(match[1]));
      if (failing !== undefined) {
        res.writeHead(failing, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            error: {
              code: failing === 403 ? 'BotNotInConversationRoster' : 'NotFound',
              message: 'Injected failure',
            },
          }),
        );
        return;
      }
      if (failures.count > 0) {
        failures.count--;
        res.writeHead(failures.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'ServiceError', message: 'Injected failure' } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `activity-${nextId++}` }));
    };
    const createConversation = (text: string): void => {
      const body = JSON.parse(text === '' ? '{}' : text) as {
        members?: { id?: string }[];
        tenantId?: string;
      };
      const memberId = body.members?.[0]?.id ?? '';
      if (memberId === '' || notInstalled.has(memberId)) {
        res.writeHead(403, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            error: { code: 'Forbidden', message: 'The bot is not installed for this user.' },
          }),
        );
        return;
      }
      const conversationId = `a:created-${created.length + 1}`;
      created.push({ conversationId, memberId, tenantId: body.tenantId });
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: conversationId }));
    };
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    serviceUrl: `http://127.0.0.1:${port}/`,
    calls,
    failNext(count, status) {
      failures = { count, status };
    },
    failConversation(conversationId, status) {
      if (status === 0) failingConversations.delete(conversationId);
      else failingConversations.set(conversationId, status);
    },
    notInstalled,
    created,
    setDelay(ms) {
      delayMs = ms;
    },
    waitForActivities(count, timeoutMs = 10_000) {
      if (calls.length >= count) return Promise.resolve(calls.slice());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`Fake connector: expected ${count} activities, got ${calls.length}`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: (c) => {
            clearTimeout(timer);
            resolve(c);
          },
        });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
