/**
 * The bot's Bot Framework authentication keeps one connector client per bot identity, service URL and
 * audience: a turn and the proactive messages after it use the same client instead of building a new
 * HTTP pipeline each time.
 */
import { ClaimsIdentity, ConnectorClient } from 'botframework-connector';
import { StrictBotFrameworkAuthentication } from '../../src/http/strictAuthentication';

const LOCAL = {
  MicrosoftAppId: '',
  MicrosoftAppPassword: '',
  MicrosoftAppType: '',
  MicrosoftAppTenantId: '',
};
const ANONYMOUS = new ClaimsIdentity([], 'anonymous');
const TEAMS = 'https://smba.trafficmanager.net/amer/';

describe('connector clients', () => {
  it('when the same bot sends to the same service URL twice, then both sends use one client', async () => {
    const auth = new StrictBotFrameworkAuthentication(LOCAL);
    const first = await auth.createConnectorFactory(ANONYMOUS).create(TEAMS);
    const second = await auth.createConnectorFactory(ANONYMOUS).create(TEAMS);
    expect(first).toBeInstanceOf(ConnectorClient);
    expect(second).toBe(first);
  });

  it('when a turn comes in, then its client is the one proactive messages to that service URL use', async () => {
    const auth = new StrictBotFrameworkAuthentication(LOCAL);
    const turn = await auth.authenticateRequest(
      { type: 'message', serviceUrl: TEAMS, channelId: 'msteams' } as never,
      '',
    );
    const forTurn = await turn.connectorFactory?.create(TEAMS, turn.audience);
    expect(forTurn).toBeInstanceOf(ConnectorClient);
    const proactive = await auth.createConnectorFactory(turn.claimsIdentity).create(TEAMS, turn.audience);
    expect(proactive).toBe(forTurn);
  });

  it('when the service URL, the audience or the bot differs, then the client differs', async () => {
    const auth = new StrictBotFrameworkAuthentication(LOCAL);
    const base = await auth.createConnectorFactory(ANONYMOUS).create(TEAMS);
    const otherUrl = await auth
      .createConnectorFactory(ANONYMOUS)
      .create('https://smba.trafficmanager.net/emea/');
    const otherAudience = await auth
      .createConnectorFactory(ANONYMOUS)
      .create(TEAMS, 'https://api.botframework.us');
    const otherBot = await auth
      .createConnectorFactory(new ClaimsIdentity([{ type: 'aud', value: 'another-bot' }], true))
      .create(TEAMS);
    expect(otherUrl).not.toBe(base);
    expect(otherAudience).not.toBe(base);
    expect(otherBot).not.toBe(base);
  });

  it('when many service URLs are used, then only the most recent clients are kept', async () => {
    const auth = new StrictBotFrameworkAuthentication(LOCAL);
    const first = await auth.createConnectorFactory(ANONYMOUS).create(`${TEAMS}0/`);
    for (let i = 1; i <= 64; i++) await auth.createConnectorFactory(ANONYMOUS).create(`${TEAMS}${i}/`);
    const again = await auth.createConnectorFactory(ANONYMOUS).create(`${TEAMS}0/`);
    expect(again).not.toBe(first);
    const recent = await auth.createConnectorFactory(ANONYMOUS).create(`${TEAMS}64/`);
    expect(await auth.createConnectorFactory(ANONYMOUS).create(`${TEAMS}64/`)).toBe(recent);
  });

  it('when turns come in for the same bot, then they share one user-token client', async () => {
    const auth = new StrictBotFrameworkAuthentication(LOCAL);
    const first = await auth.createUserTokenClient(ANONYMOUS);
    expect(await auth.createUserTokenClient(ANONYMOUS)).toBe(first);
    const other = await auth.createUserTokenClient(
      new ClaimsIdentity([{ type: 'aud', value: 'another-bot' }], true),
    );
    expect(other).not.toBe(first);
  });
});
