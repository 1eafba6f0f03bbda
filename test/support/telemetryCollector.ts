/**
 * A local Application Insights ingestion endpoint: HTTPS on 127.0.0.1 with the test certificate (the
 * exporter turns any `IngestionEndpoint` into https), accepting what the Azure Monitor exporter posts
 * to `/v2.1/track` — a JSON array of envelopes, gzip-encoded or not — and answering as the service
 * does (or, told so, never answers). It keeps every envelope and every raw body for the test to
 * search.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { tls } from '../simulator/tlsFixtures';

export interface Envelope {
  name: string;
  time: string;
  iKey: string;
  tags: Record<string, string>;
  data: { baseType: string; baseData: Record<string, unknown> & { properties?: Record<string, string> } };
}

export interface TelemetryCollector {
  /** What the bot's `APPLICATIONINSIGHTS_CONNECTION_STRING` is set to. */
  connectionString: string;
  host: string;
  /** Every request received, whatever its path. */
  posts: { path: string; body: string }[];
  envelopes: Envelope[];
  /** Request envelopes (server and consumer spans: turns, jobs). */
  requests(): Envelope[];
  /** Dependency envelopes (client spans: Graph, Exchange). */
  dependencies(): Envelope[];
  /** The names of the metrics received. */
  metricNames(): string[];
  /** Every value received for metric `name`, oldest first, with the metric's dimensions. */
  metricValues(name: string): { value: number; properties: Record<string, string> }[];
  close(): Promise<void>;
}

export const TEST_INSTRUMENTATION_KEY = '00000000-0000-0000-0000-000000000000';

function decode(body: Buffer, encoding: string | undefined): string {
  return (encoding === 'gzip' ? zlib.gunzipSync(body) : body).toString('utf8');
}

/** The body as envelopes: a JSON array, or one JSON envelope per line. */
function envelopesOf(text: string): Envelope[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) return JSON.parse(trimmed) as Envelope[];
  return trimmed
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Envelope);
}

export interface CollectorOptions {
  /** False: take each post and never answer (an ingestion endpoint that hangs). Default true. */
  answer?: boolean;
}

export async function startTelemetryCollector(options: CollectorOptions = {}): Promise<TelemetryCollector> {
  const posts: { path: string; body: string }[] = [];
  const envelopes: Envelope[] = [];
  const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = decode(Buffer.concat(chunks), req.headers['content-encoding']);
      posts.push({ path: req.url ?? '/', body });
      let items: Envelope[] = [];
      try {
        items = envelopesOf(body);
      } catch {
        items = [];
      }
      if (req.url?.startsWith('/v2.1/track') === true) envelopes.push(...items);
      if (options.answer === false) return;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ itemsReceived: items.length, itemsAccepted: items.length, errors: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const host = `127.0.0.1:${port}`;
  const ofType = (baseType: string) => () => envelopes.filter((e) => e.data.baseType === baseType);
  const metricsOf = (e: Envelope) =>
    (e.data.baseData.metrics as { name: string; value: number }[] | undefined) ?? [];
  return {
    connectionString: `InstrumentationKey=${TEST_INSTRUMENTATION_KEY};IngestionEndpoint=https://${host}/`,
    host,
    posts,
    envelopes,
    requests: ofType('RequestData'),
    dependencies: ofType('RemoteDependencyData'),
    metricNames: () => ofType('MetricData')().flatMap((e) => metricsOf(e).map((m) => m.name)),
    metricValues: (name) =>
      ofType('MetricData')().flatMap((e) =>
        metricsOf(e)
          .filter((m) => m.name === name)
          .map((m) => ({ value: m.value, properties: e.data.baseData.properties ?? {} })),
      ),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
