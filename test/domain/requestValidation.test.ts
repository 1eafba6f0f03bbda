import {
  CONTACT_LIMITS,
  suggestUsernames,
  USAGE_LOCATIONS,
  validateAccount,
  validateContact,
  validateDisplayName,
  validatePhone,
  validatePostalCode,
  validateUsageLocation,
  validateUsername,
} from '../../src/domain/requestValidation';

const ALLOWED_USERNAME = "letters A–Z (no accents), digits 0–9 and the characters ' . - _ ! # ^ ~";

describe('validateUsername', () => {
  it.each<[string, unknown, string]>([
    ['a plain name', 'cirasync', 'cirasync'],
    ['upper case', 'CiraSync-SVC', 'cirasync-svc'],
    ['surrounding spaces', '  svc.account  ', 'svc.account'],
    ['every allowed symbol', "o'neil_a-b.c!d#e^f~g", "o'neil_a-b.c!d#e^f~g"],
    ['a leading underscore', '_svc_', '_svc_'],
    ['one character', 'a', 'a'],
    ['64 characters', 'a'.repeat(64), 'a'.repeat(64)],
  ])('when the name is %s, then it is accepted in lower case', (_case, input, expected) => {
    expect(validateUsername(input)).toEqual({ value: expected });
  });

  it.each<[string, unknown, string[]]>([
    ['empty', '', ['Type a user name of 1 to 64 characters. Allowed: ', ALLOWED_USERNAME]],
    ['only spaces', '   ', ['1 to 64 characters']],
    ['missing', undefined, ['Type a user name']],
    ['65 characters', 'a'.repeat(65), ['at most 64 characters', 'has 65']],
    ['a whole address', 'svc@contoso.com', ['only the part before the @', 'domain from the list']],
    ['a space inside', 'svc account', ["can't contain spaces. Allowed: ", ALLOWED_USERNAME]],
    ['an accented letter', 'josé', ['“é”', 'no accents']],
    ['an ampersand and parentheses', 'a&b(c)', ['“&”, “(”, “)”', ALLOWED_USERNAME]],
    ['a plus and a slash', 'a+b/c', ['“+”, “/”']],
    ['a leading dot', '.svc', ["can't start or end with a dot", 'cirasync.svc']],
    ['a trailing dot', 'svc.', ["can't start or end with a dot"]],
    ['two dots in a row', 'svc..account', ['two dots in a row']],
    ['a tab', 'svc\tacct', ['control characters']],
    ['a line break', 'svc\nacct', ['control characters']],
    ['a number', 42, ['must be text']],
    ['an object', { name: 'svc' }, ['must be text']],
    ['a huge string', 'x'.repeat(1_000_000), ['at most 64 characters', 'has 1000000']],
  ])('when the name is %s, then the error says what is wrong and what is allowed', (_case, input, parts) => {
    const result = validateUsername(input);
    expect(result.value).toBeUndefined();
    for (const part of parts) expect(result.error).toContain(part);
  });
});

describe('validateDisplayName', () => {
  it.each<[unknown, string]>([
    ['CiraSync Service', 'CiraSync Service'],
    ['  Trimmed  ', 'Trimmed'],
    ['Zoë Ångström 🚀', 'Zoë Ångström 🚀'],
    ['x'.repeat(256), 'x'.repeat(256)],
  ])('when the display name is %j, then it is accepted', (input, expected) => {
    expect(validateDisplayName(input)).toEqual({ value: expected });
  });

  it.each<[unknown, string]>([
    ['', '1 to 256 characters'],
    [null, '1 to 256 characters'],
    ['x'.repeat(257), 'at most 256 characters; this one has 257'],
    ['Bell\u0007', 'control characters'],
    ['Evil\u202Eeman', 'control characters'],
    [['a'], 'must be text of at most 256 characters'],
  ])('when the display name is %j, then it is refused: %s', (input, message) => {
    expect(validateDisplayName(input).error).toContain(message);
  });
});

describe('validatePhone', () => {
  it.each<[unknown, string | undefined]>([
    ['+1 (425) 555-0100', '+1 (425) 555-0100'],
    ['425.555.0100', '425.555.0100'],
    ['+44 20 7946 0958 x123', '+44 20 7946 0958 x123'],
    ['555-0100 ext. 42', '555-0100 ext. 42'],
    ['555-0100 extension 42', '555-0100 extension 42'],
    ['', undefined],
    [undefined, undefined],
  ])('when the phone is %j, then it is accepted', (input, expected) => {
    expect(validatePhone(input)).toEqual({ value: expected });
  });

  it.each<[unknown, string]>([
    ['call me', 'may use digits, spaces and + - ( ) .'],
    ['12+34', 'a + only first'],
    ['()-', 'for example “+1 (425) 555-0100”'],
    ['555 ext.', 'extension such as “x123” or “ext. 123”'],
    ['1'.repeat(65), 'at most 64 characters'],
    [5550100, 'must be text'],
  ])('when the phone is %j, then it is refused: %s', (input, message) => {
    expect(validatePhone(input).error).toContain(message);
  });

  it('when a label is given, then the message names that field', () => {
    expect(validatePhone('nope', 'The mobile phone').error).toMatch(/^The mobile phone may use digits/);
  });
});

describe('validatePostalCode', () => {
  it.each<[unknown, string | undefined]>([
    ['98052', '98052'],
    ['SW1A 1AA', 'SW1A 1AA'],
    ['98052-6399', '98052-6399'],
    ['', undefined],
  ])('when the postal code is %j, then it is accepted', (input, expected) => {
    expect(validatePostalCode(input)).toEqual({ value: expected });
  });

  it.each<[unknown, string]>([
    ['980#52', 'letters, digits, spaces and hyphens'],
    ['-123', 'for example “98052” or “SW1A 1AA”'],
    ['1'.repeat(41), 'at most 40 characters'],
  ])('when the postal code is %j, then it is refused: %s', (input, message) => {
    expect(validatePostalCode(input).error).toContain(message);
  });
});

describe('validateUsageLocation and USAGE_LOCATIONS', () => {
  it('when the list is read, then it holds the 249 assigned ISO 3166-1 alpha-2 codes once each, sorted by name', () => {
    const codes = USAGE_LOCATIONS.map((l) => l.code);
    expect(codes).toHaveLength(249);
    expect(new Set(codes).size).toBe(249);
    expect(codes.every((c) => /^[A-Z]{2}$/.test(c))).toBe(true);
    expect(USAGE_LOCATIONS.every((l) => l.name.length > 1)).toBe(true);
    const names = USAGE_LOCATIONS.map((l) => l.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en')));
    expect(USAGE_LOCATIONS).toEqual(expect.arrayContaining([{ code: 'US', name: 'United States' }]));
    expect(codes).not.toContain('UK');
  });

  it.each<[unknown, string]>([
    ['US', 'US'],
    ['gb', 'GB'],
    [' de ', 'DE'],
    ['Germany', 'DE'],
    ['united states', 'US'],
  ])('when the usage location is %j, then it becomes %s', (input, expected) => {
    expect(validateUsageLocation(input)).toEqual({ value: expected });
  });

  it.each<[unknown, string]>([
    ['', 'Pick the country where the account is used: a licence needs it.'],
    ['UK', '“UK” is not a country I know: pick one from the list.'],
    ['XX', 'pick one from the list'],
    ['USA', 'pick one from the list'],
    [7, 'must be text'],
  ])('when the usage location is %j, then it is refused: %s', (input, message) => {
    expect(validateUsageLocation(input).error).toContain(message);
  });
});

describe('validateContact', () => {
  it('when every field is valid, then the trimmed non-empty values come back and unknown fields are dropped', () => {
    const result = validateContact({
      jobTitle: ' Service account ',
      department: 'IT',
      companyName: '',
      businessPhone: '+1 425 555 0100',
      mobilePhone: undefined,
      streetAddress: '1 Microsoft Way',
      city: 'Redmond',
      state: 'WA',
      postalCode: '98052',
      country: 'United States',
      password: 'hunter2',
    });
    expect(result).toEqual({
      value: {
        jobTitle: 'Service account',
        department: 'IT',
        businessPhone: '+1 425 555 0100',
        streetAddress: '1 Microsoft Way',
        city: 'Redmond',
        state: 'WA',
        postalCode: '98052',
        country: 'United States',
      },
      errors: {},
    });
  });

  it.each(Object.entries(CONTACT_LIMITS))(
    'when %s is one character longer than its limit of %i, then only that field has an error naming the limit',
    (field, limit) => {
      const text = field.endsWith('Phone') ? '1'.repeat(limit + 1) : 'a'.repeat(limit + 1);
      const result = validateContact({ country: 'Canada', [field]: text });
      expect(result.value).toBeUndefined();
      expect(Object.keys(result.errors)).toEqual([field]);
      expect(Object.values(result.errors)[0]).toContain(`at most ${limit} characters`);
    },
  );

  it.each(Object.entries(CONTACT_LIMITS))(
    'when %s is exactly at its limit of %i, then it is accepted',
    (field, limit) => {
      const text = field.endsWith('Phone') ? '1'.repeat(limit) : 'a'.repeat(limit);
      expect(validateContact({ [field]: text }).errors).toEqual({});
    },
  );

  it('when several fields are wrong, then each has its own message', () => {
    const result = validateContact({
      businessPhone: 'call me',
      city: 'a\nb',
      postalCode: '#1',
      jobTitle: 12,
    });
    expect(Object.keys(result.errors).sort()).toEqual(['businessPhone', 'city', 'jobTitle', 'postalCode']);
    expect(result.errors.businessPhone).toMatch(/^The office phone may use digits/);
    expect(result.errors.city).toContain('line breaks');
    expect(result.errors.jobTitle).toContain('must be text of at most 128 characters');
  });

  it.each<[unknown]>([['text'], [42], [['a']]])(
    'when the contact data is %j instead of a form, then a form error is returned, not a crash',
    (input) => {
      expect(validateContact(input)).toEqual({
        errors: { form: expect.stringContaining('fill in the card again') },
      });
    },
  );

  it('when there is no contact data, then nothing is required', () => {
    expect(validateContact(undefined)).toEqual({ value: {}, errors: {} });
  });
});

describe('validateAccount', () => {
  it('when both fields are valid, then they come back normalised', () => {
    expect(validateAccount({ displayName: ' CiraSync ', username: 'CiraSync.Svc' })).toEqual({
      value: { displayName: 'CiraSync', username: 'cirasync.svc' },
      errors: {},
    });
  });

  it('when both fields are wrong, then each gets its own message and there is no value', () => {
    const result = validateAccount({ displayName: '', username: 'a b' });
    expect(result.value).toBeUndefined();
    expect(result.errors.displayName).toContain('1 to 256 characters');
    expect(result.errors.username).toContain("can't contain spaces");
  });

  it.each<[unknown]>([[null], ['cirasync'], [[1, 2]]])(
    'when the input is %j, then a form error is returned',
    (input) => {
      expect(validateAccount(input).errors.form).toContain('fill in the card again');
    },
  );
});

describe('suggestUsernames', () => {
  it('when a name is taken, then numbered variants are offered in order', () => {
    expect(suggestUsernames('CiraSync', 5)).toEqual([
      'cirasync2',
      'cirasync-2',
      'cirasync3',
      'cirasync-3',
      'cirasync4',
    ]);
  });

  it('when the name is already 64 characters, then the variants are cut to stay within 64 and stay valid', () => {
    const base = `${'a'.repeat(61)}.bc`;
    const suggestions = suggestUsernames(base, 4);
    expect(suggestions).toHaveLength(4);
    for (const name of suggestions) {
      expect(name.length).toBeLessThanOrEqual(64);
      expect(validateUsername(name)).toEqual({ value: name });
    }
    expect(suggestions[1]).toBe(`${'a'.repeat(61)}-2`);
  });

  it.each<[string, number]>([
    ['a b', 3],
    ['', 3],
    ['svc', 0],
    ['svc', -1],
    ['svc', Number.NaN],
  ])('when the base is %j and the count %d, then nothing is suggested', (base, count) => {
    expect(suggestUsernames(base, count)).toEqual([]);
  });
});
