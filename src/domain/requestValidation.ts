/**
 * What the admin types into the request cards, checked against Microsoft Entra's rules before anything
 * reaches Graph. Input is card data, so every validator takes `unknown`; every error says what is wrong
 * and what is allowed, and nothing here throws.
 *
 * Sources: the user resource of Microsoft Graph v1.0 (length limits; userPrincipalName may use only
 * A–Z a–z 0–9 ' . - _ ! # ^ ~), Entra's user name policy (up to 64 characters before the @, no dot just
 * before the @), and the Exchange alias rules the same name follows as `mailNickname` (no dot at the
 * start, at the end or twice in a row).
 */
import type { ContactDetails } from './tenant';
import { literal } from './words';

export type FieldCheck<T> = { value: T; error?: undefined } | { value?: undefined; error: string };
/** `value` only when every field is valid; `errors` holds a message for each field that is not. */
export interface FormCheck<T, F extends string> {
  value?: T;
  errors: Partial<Record<F, string>>;
}
export type ContactField = keyof ContactDetails;

export const USERNAME_MAX = 64;
export const DISPLAY_NAME_MAX = 256;
export const USERNAME_ALLOWED = "letters A–Z (no accents), digits 0–9 and the characters ' . - _ ! # ^ ~";

/** Graph's maximum lengths for the contact properties of a user. */
export const CONTACT_LIMITS: Readonly<Record<ContactField, number>> = {
  jobTitle: 128,
  department: 64,
  companyName: 64,
  businessPhone: 64,
  mobilePhone: 64,
  streetAddress: 1024,
  city: 128,
  state: 128,
  postalCode: 40,
  country: 128,
};

const CONTACT_LABELS: Readonly<Record<ContactField, string>> = {
  jobTitle: 'The job title',
  department: 'The department',
  companyName: 'The company name',
  businessPhone: 'The office phone',
  mobilePhone: 'The mobile phone',
  streetAddress: 'The street address',
  city: 'The city',
  state: 'The state or province',
  postalCode: 'The postal code',
  country: 'The country or region',
};

// Control characters (C0, DEL, C1), line and paragraph separators, and bidirectional overrides.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const USERNAME_CHAR = /[A-Za-z0-9'._!#^~-]/;
const PHONE_EXTENSION = /^(.*?)\s*(?:x|ext\.?|extension)\s*([0-9]{1,10})$/i;
const PHONE_MAIN = /^\+?[0-9 ().-]+$/;
const POSTAL_CODE = /^[A-Za-z0-9][A-Za-z0-9 -]*$/;

/** Trimmed text, or the error for a value that is not plain text within `max` characters. */
function plainText(value: unknown, label: string, max: number): FieldCheck<string> {
  if (value === undefined || value === null) return { value: '' };
  if (typeof value !== 'string') return { error: `${label} must be text of at most ${max} characters.` };
  if (CONTROL.test(value)) {
    return {
      error: `${label} can't contain control characters such as line breaks or tabs; use plain text.`,
    };
  }
  const text = value.trim();
  if (text.length > max)
    return { error: `${label} can be at most ${max} characters; this one has ${text.length}.` };
  return { value: text };
}

function quoteChars(chars: string[]): string {
  const shown = chars.slice(0, 5).map((c) => (c === ' ' ? 'spaces' : `“${c}”`));
  // Shown on the card as markdown: a typed “*” or “[” must show as itself.
  return literal(shown.join(', ')) + (chars.length > 5 ? ' and others' : '');
}

/** The part of the user principal name before the @ (also the mail nickname), in lower case. */
export function validateUsername(value: unknown): FieldCheck<string> {
  const text = plainText(value, 'The user name', USERNAME_MAX);
  if (text.error !== undefined) return text;
  const name = text.value;
  if (name === '')
    return { error: `Type a user name of 1 to ${USERNAME_MAX} characters. Allowed: ${USERNAME_ALLOWED}.` };
  if (name.includes('@')) {
    return {
      error: 'Type only the part before the @, for example “cirasync-svc”; pick the domain from the list.',
    };
  }
  const bad = [...new Set([...name].filter((c) => !USERNAME_CHAR.test(c)))];
  if (bad.length > 0)
    return { error: `A user name can't contain ${quoteChars(bad)}. Allowed: ${USERNAME_ALLOWED}.` };
  if (name.startsWith('.') || name.endsWith('.') || name.includes('..')) {
    return {
      error: `A user name can't start or end with a dot or have two dots in a row; dots may only separate other characters, as in “cirasync.svc”.`,
    };
  }
  return { value: name.toLowerCase() };
}

export function validateDisplayName(value: unknown): FieldCheck<string> {
  const text = plainText(value, 'The display name', DISPLAY_NAME_MAX);
  if (text.error !== undefined) return text;
  if (text.value === '') {
    return {
      error: `Type a display name of 1 to ${DISPLAY_NAME_MAX} characters, for example “CiraSync Service”.`,
    };
  }
  return text;
}

/** Lenient: digits, spaces, + - ( ) . and an extension ("x123", "ext. 123"). Empty gives undefined. */
export function validatePhone(value: unknown, label = 'The phone number'): FieldCheck<string | undefined> {
  const text = plainText(value, label, CONTACT_LIMITS.businessPhone);
  if (text.error !== undefined) return text;
  if (text.value === '') return { value: undefined };
  const main = PHONE_EXTENSION.exec(text.value)?.[1] ?? text.value;
  if (!PHONE_MAIN.test(main) || !/[0-9]/.test(main)) {
    return {
      error: `${label} may use digits, spaces and + - ( ) . (a + only first), for example “+1 (425) 555-0100”, and an extension such as “x123” or “ext. 123”.`,
    };
  }
  return text;
}

/** Lenient: letters, digits, spaces and hyphens. Empty gives undefined. */
export function validatePostalCode(value: unknown): FieldCheck<string | undefined> {
  const text = plainText(value, CONTACT_LABELS.postalCode, CONTACT_LIMITS.postalCode);
  if (text.error !== undefined) return text;
  if (text.value === '') return { value: undefined };
  if (!POSTAL_CODE.test(text.value)) {
    return {
      error: `A postal code may use letters, digits, spaces and hyphens (at most ${CONTACT_LIMITS.postalCode} characters), for example “98052” or “SW1A 1AA”.`,
    };
  }
  return text;
}

/** ISO 3166-1 alpha-2, upper case; an English country name from `USAGE_LOCATIONS` is accepted too. */
export function validateUsageLocation(value: unknown): FieldCheck<string> {
  const text = plainText(value, 'The usage location', 64);
  if (text.error !== undefined) return text;
  const typed = text.value;
  if (typed === '') return { error: 'Pick the country where the account is used: a licence needs it.' };
  const code = typed.toUpperCase();
  if (LOCATION_NAMES.has(code)) return { value: code };
  const byName = USAGE_LOCATIONS.find((location) => location.name.toLowerCase() === typed.toLowerCase());
  if (byName !== undefined) return { value: byName.code };
  return { error: `“${typed.slice(0, 64)}” is not a country I know: pick one from the list.` };
}

export function validateContact(contact: unknown): FormCheck<ContactDetails, ContactField | 'form'> {
  if (contact === undefined || contact === null) return { value: {}, errors: {} };
  if (typeof contact !== 'object' || Array.isArray(contact)) {
    return { errors: { form: 'The contact details did not arrive as a form; fill in the card again.' } };
  }
  const input = contact as Record<string, unknown>;
  const value: ContactDetails = {};
  const errors: Partial<Record<ContactField, string>> = {};
  for (const field of Object.keys(CONTACT_LIMITS) as ContactField[]) {
    const label = CONTACT_LABELS[field];
    const check =
      field === 'businessPhone' || field === 'mobilePhone'
        ? validatePhone(input[field], label)
        : field === 'postalCode'
          ? validatePostalCode(input[field])
          : plainText(input[field], label, CONTACT_LIMITS[field]);
    if (check.error !== undefined) errors[field] = check.error;
    else if (check.value !== undefined && check.value !== '') value[field] = check.value;
  }
  return Object.keys(errors).length === 0 ? { value, errors } : { errors };
}

export interface AccountInput {
  displayName: string;
  username: string;
}

export function validateAccount(input: unknown): FormCheck<AccountInput, keyof AccountInput | 'form'> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { errors: { form: 'The account details did not arrive as a form; fill in the card again.' } };
  }
  const fields = input as Record<string, unknown>;
  const displayName = validateDisplayName(fields.displayName);
  const username = validateUsername(fields.username);
  const errors: Partial<Record<keyof AccountInput, string>> = {};
  if (displayName.error !== undefined) errors.displayName = displayName.error;
  if (username.error !== undefined) errors.username = username.error;
  if (displayName.value === undefined || username.value === undefined) return { errors };
  return { value: { displayName: displayName.value, username: username.value }, errors };
}

/** Names to offer when `base` is taken: base2, base-2, base3, base-3, …, each a valid user name. */
export function suggestUsernames(base: string, count: number): string[] {
  const valid = validateUsername(base);
  if (valid.value === undefined || !Number.isFinite(count) || count <= 0) return [];
  const wanted = Math.min(Math.floor(count), 50);
  const out: string[] = [];
  for (let n = 2; out.length < wanted && n < wanted + 100; n++) {
    for (const suffix of [`${n}`, `-${n}`]) {
      const stem = valid.value.slice(0, USERNAME_MAX - suffix.length).replace(/\.+$/, '');
      const candidate = `${stem}${suffix}`;
      if (
        out.length < wanted &&
        !out.includes(candidate) &&
        validateUsername(candidate).value === candidate
      ) {
        out.push(candidate);
      }
    }
  }
  return out;
}

/** ISO 3166-1 alpha-2: every officially assigned code, with a short English name. */
const ISO_3166 = `
AD Andorra|AE United Arab Emirates|AF Afghanistan|AG Antigua and Barbuda|AI Anguilla|AL Albania|AM Armenia
AO Angola|AQ Antarctica|AR Argentina|AS American Samoa|AT Austria|AU Australia|AW Aruba|AX Åland Islands
AZ Azerbaijan|BA Bosnia and Herzegovina|BB Barbados|BD Bangladesh|BE Belgium|BF Burkina Faso|BG Bulgaria
BH Bahrain|BI Burundi|BJ Benin|BL Saint Barthélemy|BM Bermuda|BN Brunei|BO Bolivia
BQ Bonaire, Sint Eustatius and Saba|BR Brazil|BS Bahamas|BT Bhutan|BV Bouvet Island|BW Botswana|BY Belarus
BZ Belize|CA Canada|CC Cocos (Keeling) Islands|CD Congo (DRC)|CF Central African Republic|CG Congo
CH Switzerland|CI Côte d'Ivoire|CK Cook Islands|CL Chile|CM Cameroon|CN China|CO Colombia|CR Costa Rica
CU Cuba|CV Cabo Verde|CW Curaçao|CX Christmas Island|CY Cyprus|CZ Czechia|DE Germany|DJ Djibouti|DK Denmark
DM Dominica|DO Dominican Republic|DZ Algeria|EC Ecuador|EE Estonia|EG Egypt|EH Western Sahara|ER Eritrea
ES Spain|ET Ethiopia|FI Finland|FJ Fiji|FK Falkland Islands|FM Micronesia|FO Faroe Islands|FR France|GA Gabon
GB United Kingdom|GD Grenada|GE Georgia|GF French Guiana|GG Guernsey|GH Ghana|GI Gibraltar|GL Greenland
GM Gambia|GN Guinea|GP Guadeloupe|GQ Equatorial Guinea|GR Greece|GS South Georgia and South Sandwich Islands
GT Guatemala|GU Guam|GW Guinea-Bissau|GY Guyana|HK Hong Kong SAR|HM Heard Island and McDonald Islands
HN Honduras|HR Croatia|HT Haiti|HU Hungary|ID Indonesia|IE Ireland|IL Israel|IM Isle of Man|IN India
IO British Indian Ocean Territory|IQ Iraq|IR Iran|IS Iceland|IT Italy|JE Jersey|JM Jamaica|JO Jordan|JP Japan
KE Kenya|KG Kyrgyzstan|KH Cambodia|KI Kiribati|KM Comoros|KN Saint Kitts and Nevis|KP North Korea
KR South Korea|KW Kuwait|KY Cayman Islands|KZ Kazakhstan|LA Laos|LB Lebanon|LC Saint Lucia|LI Liechtenstein
LK Sri Lanka|LR Liberia|LS Lesotho|LT Lithuania|LU Luxembourg|LV Latvia|LY Libya|MA Morocco|MC Monaco
MD Moldova|ME Montenegro|MF Saint Martin|MG Madagascar|MH Marshall Islands|MK North Macedonia|ML Mali
MM Myanmar|MN Mongolia|MO Macao SAR|MP Northern Mariana Islands|MQ Martinique|MR Mauritania|MS Montserrat
MT Malta|MU Mauritius|MV Maldives|MW Malawi|MX Mexico|MY Malaysia|MZ Mozambique|NA Namibia|NC New Caledonia
NE Niger|NF Norfolk Island|NG Nigeria|NI Nicaragua|NL Netherlands|NO Norway|NP Nepal|NR Nauru|NU Niue
NZ New Zealand|OM Oman|PA Panama|PE Peru|PF French Polynesia|PG Papua New Guinea|PH Philippines|PK Pakistan
PL Poland|PM Saint Pierre and Miquelon|PN Pitcairn Islands|PR Puerto Rico|PS Palestinian Territories
PT Portugal|PW Palau|PY Paraguay|QA Qatar|RE Réunion|RO Romania|RS Serbia|RU Russia|RW Rwanda|SA Saudi Arabia
SB Solomon Islands|SC Seychelles|SD Sudan|SE Sweden|SG Singapore|SH Saint Helena, Ascension and Tristan da Cunha
SI Slovenia|SJ Svalbard and Jan Mayen|SK Slovakia|SL Sierra Leone|SM San Marino|SN Senegal|SO Somalia
SR Suriname|SS South Sudan|ST São Tomé and Príncipe|SV El Salvador|SX Sint Maarten|SY Syria|SZ Eswatini
TC Turks and Caicos Islands|TD Chad|TF French Southern Territories|TG Togo|TH Thailand|TJ Tajikistan
TK Tokelau|TL Timor-Leste|TM Turkmenistan|TN Tunisia|TO Tonga|TR Türkiye|TT Trinidad and Tobago|TV Tuvalu
TW Taiwan|TZ Tanzania|UA Ukraine|UG Uganda|UM U.S. Outlying Islands|US United States|UY Uruguay|UZ Uzbekistan
VA Vatican City|VC Saint Vincent and the Grenadines|VE Venezuela|VG British Virgin Islands
VI U.S. Virgin Islands|VN Vietnam|VU Vanuatu|WF Wallis and Futuna|WS Samoa|YE Yemen|YT Mayotte|ZA South Africa
ZM Zambia|ZW Zimbabwe`;

/** Usage locations for a picker, sorted by English name. */
export const USAGE_LOCATIONS: readonly { code: string; name: string }[] = ISO_3166.split(/[|\n]/)
  .map((entry) => entry.trim())
  .filter((entry) => entry !== '')
  .map((entry) => ({ code: entry.slice(0, 2), name: entry.slice(3) }))
  .sort((a, b) => a.name.localeCompare(b.name, 'en'));

const LOCATION_NAMES = new Map(USAGE_LOCATIONS.map((location) => [location.code, location.name]));
