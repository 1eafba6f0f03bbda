import { parseCliArguments } from '../../src/simulator/cli';

describe('simulator CLI arguments', () => {
  test('when no arguments are given, then it starts the classic tenant on port 5300 as the Playground tenant', () => {
    expect(parseCliArguments([])).toEqual({
      scenario: 'classic',
      port: 5300,
      tenantId: '00000000-0000-0000-0000-0000000000001',
      delays: {},
    });
  });

  test('when scenario, port and delays are given, then they are taken', () => {
    const settings = parseCliArguments(['--scenario', 'no-seats', '--port', '0', '--replication-ms', '5000']);
    expect(settings).toMatchObject({ scenario: 'no-seats', port: 0, delays: { replicationMs: 5000 } });
  });

  test.each([
    [['--scenario', 'chaos'], /--scenario must be one of/],
    [['--port', 'eighty'], /--port needs a whole number/],
    [['--verbose'], /Unknown argument --verbose/],
    [['--https-key', 'k.pem'], /go together/],
  ])('when the arguments are %j, then it refuses with the usage text', (argv, message) => {
    expect(() => parseCliArguments(argv)).toThrow(message);
    expect(() => parseCliArguments(argv)).toThrow(/Usage:/);
  });
});
