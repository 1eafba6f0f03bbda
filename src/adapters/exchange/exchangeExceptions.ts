/**
 * What Exchange Online's cmdlet errors mean to the engine, by exception type — not by HTTP status:
 * the admin API reports most cmdlet errors as HTTP 400 (a user with no public-folder permission
 * entry, an object that already exists) and only some "not found" cases as 404. The type comes from
 * `error.details[0].message` (`ErrorId|ExceptionType|Message`) or, failing that, from
 * `error.innererror.internalexception.type` (docs/microsoft365.md, "Exchange errors").
 */
import { array, obj, str } from '../graph/json';

/** What an error means to a step: look-first reads treat `absent` as "not there". */
export type ExchangeMeaning =
  /** The object, or the entry asked about, does not exist (yet). */
  | 'absent'
  /** What the cmdlet would create is there already. */
  | 'exists'
  /** More than one object matches the identity given. */
  | 'ambiguous'
  /** The app's Exchange role does not include the cmdlet (or the parameter). */
  | 'notAllowed'
  /** The parameters were refused: missing, unknown, or of the wrong form. */
  | 'badInput';

/** Exception types by their short name (the part after the last dot). */
const MEANINGS: Readonly<Record<string, ExchangeMeaning>> = {
  ManagementObjectNotFoundException: 'absent',
  UserNotFoundInPermissionEntryException: 'absent',
  ADObjectAlreadyExistsException: 'exists',
  MemberAlreadyExistsException: 'exists',
  UserAlreadyExistsInPermissionEntryException: 'exists',
  ManagementObjectAlreadyExistsException: 'exists',
  ManagementObjectAmbiguousException: 'ambiguous',
  CommandNotFoundException: 'notAllowed',
  AuthorizationException: 'notAllowed',
  AmbiguousParameterSetException: 'badInput',
  ParameterTransformationException: 'badInput',
  ParameterBindingException: 'badInput',
  InvalidExternalUserIdException: 'badInput',
};

export interface ExchangeErrorInfo {
  /** The most specific message Exchange gave. */
  message: string;
  /** The full exception type, when Exchange named one. */
  exceptionType?: string;
  meaning?: ExchangeMeaning;
}

function shortName(type: string): string {
  return type.slice(type.lastIndexOf('.') + 1);
}

/**
 * `details[0].message`: `ErrorId|ExceptionType|Text` (the ErrorId empty for the admin API's own
 * exceptions), or, in some answers, a JSON text `{"Message": …, "TypeName": …}`.
 */
function detailOf(raw: string): { type: string; text: string } {
  const trimmed = raw.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed = obj(JSON.parse(trimmed));
      return { type: str(parsed.TypeName).trim(), text: str(parsed.Message).trim() };
    } catch {
      return { type: '', text: trimmed };
    }
  }
  const parts = trimmed.split('|');
  return parts.length >= 3
    ? { type: parts[1].trim(), text: parts.slice(2).join('|').trim() }
    : { type: '', text: trimmed };
}

/** Reads an InvokeCommand error body: its message, exception type and what the type means. */
export function readExchangeError(body: unknown): ExchangeErrorInfo {
  const error = obj(obj(body).error);
  const inner = obj(error.innererror ?? error.innerError);
  const internal = obj(inner.internalexception ?? inner.internalException);
  const detail = detailOf(str(obj(array(error.details)[0]).message));
  // The internal exception of an Exchange task's error is a generic wrapper: the type in `details`
  // is the one that means something.
  const exceptionType = detail.type || str(internal.type) || undefined;
  const message = detail.text || str(internal.message).trim() || str(error.message).trim();
  const meaning = exceptionType === undefined ? undefined : MEANINGS[shortName(exceptionType)];
  return {
    message,
    ...(exceptionType === undefined ? {} : { exceptionType }),
    ...(meaning ? { meaning } : {}),
  };
}
