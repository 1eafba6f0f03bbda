import { createLogger, REDACTED, redact } from '../src/logger';
import { SpanKind, withSpan } from '../src/telemetry/tracing';

describe('logger', () => {
  it('when fields carry credentials, then they are redacted by name and by shape', () => {
    const lines: string[] = [];
    const logger = createLogger('debug', (line) => lines.push(line));
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    logger.info('calling Graph', {
      headers: { Authorization: `Bearer ${jwt}` },
      password: 'P@ssw0rd-123',
      clientSecret: 'abc',
      note: `token was ${jwt}`,
      error: new Error(`failed with Bearer ${jwt}`),
    });
    const text = lines.join('\n');
    expect(text).not.toContain(jwt);
    expect(text).not.toContain('P@ssw0rd-123');
    expect(text).not.toContain('"abc"');
    const record = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(record.password).toBe(REDACTED);
    expect(record.headers).toEqual({ Authorization: REDACTED });
    expect(record.note).toBe(`token was ${REDACTED}`);
    expect((record.error as { message: string }).message).toBe(`failed with Bearer ${REDACTED}`);
  });

  it('when the level is warn, then debug and info are dropped', () => {
    const lines: string[] = [];
    const logger = createLogger('warn', (line) => lines.push(line));
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['w', 'e']);
  });

  it('when asked whether a level is written, then it answers by the threshold, for a child too', () => {
    const info = createLogger('info', () => undefined);
    expect([info.enabled('debug'), info.enabled('info'), info.enabled('error')]).toEqual([false, true, true]);
    expect(
      createLogger('debug', () => undefined)
        .child({ a: 1 })
        .enabled('debug'),
    ).toBe(true);
    expect(createLogger('silent', () => undefined).enabled('error')).toBe(false);
  });

  it('when a child logger is made, then its fields appear on every line', () => {
    const lines: string[] = [];
    createLogger('info', (line) => lines.push(line))
      .child({ requestId: 'r-1' })
      .info('step done', { step: 'ensureUser' });
    expect(JSON.parse(lines[0])).toMatchObject({
      level: 'info',
      msg: 'step done',
      requestId: 'r-1',
      step: 'ensureUser',
    });
  });

  it('when telemetry is off, then a line written inside a span carries no trace fields', async () => {
    const lines: string[] = [];
    const logger = createLogger('info', (line) => lines.push(line));
    await withSpan('job provision', SpanKind.CONSUMER, {}, async () =>
      logger.info('job ran', { kind: 'provision' }),
    );
    const record = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(record).toMatchObject({ msg: 'job ran', kind: 'provision' });
    expect(record).not.toHaveProperty('traceId');
    expect(record).not.toHaveProperty('spanId');
  });

  it('when a value is circular, then redaction still terminates', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(redact(a)).toEqual({ name: 'a', self: '[circular]' });
  });
});
