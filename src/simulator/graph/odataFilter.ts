import { GraphError } from './graphErrors';

/** A compiled `$filter`: tests one entity (its JSON properties). */
export type FilterPredicate = (entity: Record<string, unknown>) => boolean;

type Token = { kind: 'word' | 'string' | 'punct'; text: string };

/**
 * The `$filter` subset the simulator understands, as Graph's directory does: `prop eq 'v'` / `ne`,
 * with strings (quotes doubled to escape), `true`, `false`, `null` and numbers; `startswith(prop,'v')`;
 * joined by `and` / `or`, with parentheses. String comparisons ignore case, like Entra's.
 */
export function compileFilter(
  expression: string,
  filterable: readonly string[],
  resource: string,
): FilterPredicate {
  const tokens = tokenize(expression);
  let index = 0;
  const peek = (): Token | undefined => tokens[index];
  const next = (): Token => {
    const token = tokens[index++];
    if (token === undefined) throw invalid(expression);
    return token;
  };
  const expect = (text: string): void => {
    if (next().text.toLowerCase() !== text) throw invalid(expression);
  };
  const property = (): string => {
    const token = next();
    if (token.kind !== 'word') throw invalid(expression);
    if (!filterable.includes(token.text)) {
      throw new GraphError(
        400,
        'Request_UnsupportedQuery',
        `Unsupported or invalid query filter clause specified for property '${token.text}' of resource '${resource}'.`,
      );
    }
    return token.text;
  };
  const literal = (): unknown => {
    const token = next();
    if (token.kind === 'string') return token.text;
    if (token.kind !== 'word') throw invalid(expression);
    if (token.text === 'true') return true;
    if (token.text === 'false') return false;
    if (token.text === 'null') return null;
    if (/^-?\d+(\.\d+)?$/.test(token.text)) return Number(token.text);
    throw invalid(expression);
  };

  const term = (): FilterPredicate => {
    const token = peek();
    if (token?.text === '(') {
      next();
      const inner = orExpression();
      expect(')');
      return inner;
    }
    if (
      token?.kind === 'word' &&
      token.text.toLowerCase() === 'startswith' &&
      tokens[index + 1]?.text === '('
    ) {
      next();
      next();
      const name = property();
      expect(',');
      const prefix = literal();
      expect(')');
      if (typeof prefix !== 'string') throw invalid(expression);
      return (entity) => {
        const value = entity[name];
        return typeof value === 'string' && value.toLowerCase().startsWith(prefix.toLowerCase());
      };
    }
    const name = property();
    const operator = next().text.toLowerCase();
    if (operator !== 'eq' && operator !== 'ne') throw invalid(expression);
    const expected = literal();
    return (entity) => equals(entity[name], expected) === (operator === 'eq');
  };
  const andExpression = (): FilterPredicate => {
    let left = term();
    while (peek()?.text.toLowerCase() === 'and') {
      next();
      const right = term();
      const l = left;
      left = (entity) => l(entity) && right(entity);
    }
    return left;
  };
  const orExpression = (): FilterPredicate => {
    let left = andExpression();
    while (peek()?.text.toLowerCase() === 'or') {
      next();
      const right = andExpression();
      const l = left;
      left = (entity) => l(entity) || right(entity);
    }
    return left;
  };

  const predicate = orExpression();
  if (index !== tokens.length) throw invalid(expression);
  return predicate;
}

function equals(actual: unknown, expected: unknown): boolean {
  if (typeof actual === 'string' && typeof expected === 'string')
    return actual.toLowerCase() === expected.toLowerCase();
  if (actual === undefined) return expected === null;
  return actual === expected;
}

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expression.length) {
    const char = expression[i];
    if (/\s/.test(char)) {
      i += 1;
    } else if (char === '(' || char === ')' || char === ',') {
      tokens.push({ kind: 'punct', text: char });
      i += 1;
    } else if (char === "'") {
      let text = '';
      i += 1;
      for (;;) {
        if (i >= expression.length) throw invalid(expression);
        if (expression[i] === "'") {
          // Two quotes are one quote in the string (OData v4 ABNF: SQUOTE-in-string = SQUOTE SQUOTE).
          if (expression[i + 1] === "'") {
            text += "'";
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        text += expression[i];
        i += 1;
      }
      tokens.push({ kind: 'string', text });
    } else {
      const match = /^[A-Za-z0-9_.@/-]+/.exec(expression.slice(i));
      if (match === null) throw invalid(expression);
      tokens.push({ kind: 'word', text: match[0] });
      i += match[0].length;
    }
  }
  return tokens;
}

function invalid(expression: string): GraphError {
  return new GraphError(400, 'BadRequest', `Invalid filter clause: syntax error in '${expression}'.`);
}
