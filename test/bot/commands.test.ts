import { normalizeCommandText, parseCommand } from '../../src/bot/commands';

describe('parseCommand', () => {
  it.each([
    ['new service account', 'newServiceAccount'],
    ['New Service Account!', 'newServiceAccount'],
    ['new service-account', 'newServiceAccount'],
    ['<at>Service Account Bot</at> new service account', 'newServiceAccount'],
    ['<at id="0">Service Account Bot</at>&nbsp;status', 'status'],
    ['  STATUS.  ', 'status'],
    ['cancel', 'cancel'],
    ['Cancel!!', 'cancel'],
    ['help', 'help'],
    ['?', 'help'],
    ['help?', 'help'],
    ['<p>help</p>', 'help'],
  ])('when the text is %j, then the command is %s', (text, expected) => {
    expect(parseCommand(text)).toBe(expected);
  });

  it.each(['', '   ', 'new service accounts please', 'statuses', 'delete everything', undefined])(
    'when the text is %j, then no command matches',
    (text) => {
      expect(parseCommand(text)).toBeUndefined();
    },
  );

  it('when a mention spans lines, then it is removed whole', () => {
    expect(normalizeCommandText('<at>Service\nAccount Bot</at>  Help')).toBe('help');
  });
});
