import type { SimGroup, SimUser } from '../state/stateTypes';
import type { TenantState } from '../state/tenantState';
import { likeMatch } from './cmdlet';
import { exchangeErrors } from './exchangeErrors';
import { exchangeDistinguishedName } from './exchangeIdentity';

type Operator = 'eq' | 'ne' | 'like' | 'notlike';
type Value = string | boolean | null;

type FilterNode =
  | { kind: 'compare'; property: string; operator: Operator; value: Value }
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; inner: FilterNode };

interface Token {
  kind: 'word' | 'string' | 'operator' | 'variable' | 'punct';
  text: string;
  /** 1-based, as Exchange's "at position N". */
  position: number;
}

type Property = (state: TenantState, user: SimUser) => string | null;

const CUSTOM_ATTRIBUTES: Record<string, Property> = Object.fromEntries(
  Array.from({ length: 15 }, (_, index) => [
    `CustomAttribute${index + 1}`,
    (state: TenantState, user: SimUser) => state.customAttributes[user.id]?.[index + 1] ?? null,
  ]),
);

const recipientType: Property = (state, user) => (state.hasMailbox(user) ? 'UserMailbox' : 'User');
const smtpAddress: Property = (state, user) => (state.hasMailbox(user) ? user.userPrincipalName : null);

/**
 * The recipient properties the simulator filters on (names as in "Filterable properties for the
 * RecipientFilter parameter"), read from the simulated user. `MemberOfGroup` is handled apart.
 */
const PROPERTIES: Record<string, Property> = {
  Alias: (_state, user) => user.mailNickname,
  City: (_state, user) => user.city,
  Company: (_state, user) => user.companyName,
  Department: (_state, user) => user.department,
  DisplayName: (_state, user) => user.displayName,
  ExternalDirectoryObjectId: (_state, user) => user.id,
  Name: (_state, user) => user.mailNickname,
  Office: (_state, user) => user.officeLocation,
  PrimarySmtpAddress: smtpAddress,
  RecipientType: recipientType,
  RecipientTypeDetails: recipientType,
  Title: (_state, user) => user.jobTitle,
  UserPrincipalName: (_state, user) => user.userPrincipalName,
  WindowsEmailAddress: smtpAddress,
  ...CUSTOM_ATTRIBUTES,
};
const MEMBER_OF_GROUP = 'MemberOfGroup';
const PROPERTY_NAMES = [...Object.keys(PROPERTIES), MEMBER_OF_GROUP].sort();

/** A recipient filter Exchange accepted: its stored text, and a test of one recipient. */
export interface RecipientFilter {
  /** As Exchange stores it: canonical property names, quoted values, group names resolved to DNs. */
  text: string;
  matches(user: SimUser): boolean;
}

/**
 * Parses an OPATH recipient filter (`-RecipientRestrictionFilter`): `Property -eq 'value'` with `-eq`,
 * `-ne`, `-like`, `-notlike` (`*` wildcards), values in single or double quotes (a doubled quote
 * escapes) or `$null`/`$true`/`$false`, joined by `-and`/`-or`, negated by `-not`, with parentheses
 * and optional braces around the whole. A syntax error or unknown property is the parameter's 400.
 */
export function compileRecipientFilter(
  state: TenantState,
  parameter: string,
  filter: string,
): RecipientFilter {
  const source = filter.trim().replace(/^\{([\s\S]*)\}$/, '$1');
  const tokens = tokenize(source, (position) => exchangeErrors.invalidFilter(parameter, filter, position));
  let index = 0;
  const fail = (token?: Token) =>
    exchangeErrors.invalidFilter(parameter, filter, token?.position ?? source.length + 1);
  const next = (): Token => {
    const token = tokens[index++];
    if (token === undefined) throw fail();
    return token;
  };
  const peekOperator = (text: string) => tokens[index]?.kind === 'operator' && tokens[index].text === text;

  const comparison = (): FilterNode => {
    const name = next();
    if (name.kind !== 'word') throw fail(name);
    const property = PROPERTY_NAMES.find((candidate) => candidate.toLowerCase() === name.text.toLowerCase());
    if (property === undefined)
      throw exchangeErrors.unknownFilterProperty(parameter, name.text, PROPERTY_NAMES);
    const operatorToken = next();
    const operator = operatorToken.text as Operator;
    if (operatorToken.kind !== 'operator' || !['eq', 'ne', 'like', 'notlike'].includes(operator))
      throw fail(operatorToken);
    if (property === MEMBER_OF_GROUP && (operator === 'like' || operator === 'notlike'))
      throw fail(operatorToken);
    const valueToken = next();
    let value: Value;
    if (valueToken.kind === 'string' || valueToken.kind === 'word') value = valueToken.text;
    else if (valueToken.kind === 'variable' && ['null', 'true', 'false'].includes(valueToken.text))
      value = valueToken.text === 'null' ? null : valueToken.text === 'true';
    else throw fail(valueToken);
    if (property === MEMBER_OF_GROUP && typeof value === 'string') {
      const group = findGroup(state, value);
      if (group !== undefined) value = exchangeDistinguishedName(state, group.displayName);
    }
    return { kind: 'compare', property, operator, value };
  };
  const unary = (): FilterNode => {
    if (peekOperator('not')) {
      next();
      return { kind: 'not', inner: unary() };
    }
    if (tokens[index]?.text === '(') {
      next();
      const inner = or();
      const close = next();
      if (close.text !== ')') throw fail(close);
      return inner;
    }
    return comparison();
  };
  const binary = (kind: 'and' | 'or', operand: () => FilterNode) => (): FilterNode => {
    let left = operand();
    while (peekOperator(kind)) {
      next();
      left = { kind, left, right: operand() };
    }
    return left;
  };
  const and = binary('and', unary);
  const or = binary('or', and);

  const tree = or();
  if (index !== tokens.length) throw fail(tokens[index]);
  return { text: print(tree), matches: (user) => evaluate(state, tree, user) };
}

function findGroup(state: TenantState, value: string): SimGroup | undefined {
  const wanted = value.toLowerCase();
  return state.groups.find((group) =>
    [group.id, group.displayName, exchangeDistinguishedName(state, group.displayName)].some(
      (candidate) => candidate.toLowerCase() === wanted,
    ),
  );
}

function evaluate(state: TenantState, node: FilterNode, user: SimUser): boolean {
  switch (node.kind) {
    case 'and':
      return evaluate(state, node.left, user) && evaluate(state, node.right, user);
    case 'or':
      return evaluate(state, node.left, user) || evaluate(state, node.right, user);
    case 'not':
      return !evaluate(state, node.inner, user);
    case 'compare': {
      const { property, operator, value } = node;
      const wanted = value === null ? null : String(value);
      let equal: boolean;
      if (property === MEMBER_OF_GROUP) {
        const group = wanted === null ? undefined : findGroup(state, wanted);
        equal = wanted === null ? false : group?.memberIds.includes(user.id) === true;
      } else {
        const actual = PROPERTIES[property](state, user);
        if (operator === 'like' || operator === 'notlike') {
          const like = actual !== null && wanted !== null && likeMatch(wanted, actual);
          return operator === 'like' ? like : !like;
        }
        equal =
          wanted === null || actual === null || actual === ''
            ? wanted === null && (actual === null || actual === '')
            : actual.toLowerCase() === wanted.toLowerCase();
      }
      return operator === 'eq' ? equal : !equal;
    }
  }
}

function print(node: FilterNode, nested = false): string {
  switch (node.kind) {
    case 'compare': {
      const { value } = node;
      const literal =
        value === null
          ? '$null'
          : typeof value === 'boolean'
            ? `$${value}`
            : `'${value.replace(/'/g, "''")}'`;
      const text = `${node.property} -${node.operator} ${literal}`;
      return nested ? `(${text})` : text;
    }
    case 'not':
      return `-not(${print(node.inner)})`;
    default:
      return `(${print(node.left, true)} -${node.kind} ${print(node.right, true)})`;
  }
}

function tokenize(source: string, fail: (position: number) => Error): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const char = source[i];
    const position = i + 1;
    if (/\s/.test(char)) {
      i += 1;
    } else if (char === '(' || char === ')') {
      tokens.push({ kind: 'punct', text: char, position });
      i += 1;
    } else if (char === "'" || char === '"') {
      let text = '';
      i += 1;
      for (;;) {
        if (i >= source.length) throw fail(position);
        if (source[i] === char) {
          if (source[i + 1] === char) {
            text += char;
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        text += source[i];
        i += 1;
      }
      tokens.push({ kind: 'string', text, position });
    } else {
      const match = /^(-[A-Za-z]+|\$[A-Za-z]+|[A-Za-z0-9_.@*]+)/.exec(source.slice(i));
      if (match === null) throw fail(position);
      const word = match[0];
      if (word.startsWith('-'))
        tokens.push({ kind: 'operator', text: word.slice(1).toLowerCase(), position });
      else if (word.startsWith('$'))
        tokens.push({ kind: 'variable', text: word.slice(1).toLowerCase(), position });
      else tokens.push({ kind: 'word', text: word, position });
      i += word.length;
    }
  }
  return tokens;
}
