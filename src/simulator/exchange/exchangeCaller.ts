/**
 * Who may call Exchange Online's admin API, for InvokeCommand and `$batch` alike: a valid token for
 * Exchange (else 401 with Exchange's `WWW-Authenticate` challenge) that holds `Exchange.ManageAsApp`
 * (else 403 with an empty body).
 */
import { emptyResponse, header, jsonResponse, type SimRequest, type SimResponse } from '../http/simMessages';
import type { TokenService } from '../token/tokenService';

export type CallerCheck =
  { admitted: true; appId: string } | { admitted: false; response: SimResponse; appId?: string };

export function checkCaller(tokens: TokenService, request: SimRequest, baseUrl: string): CallerCheck {
  const check = tokens.check(header(request, 'authorization'), 'exchange');
  if (!check.ok) return { admitted: false, response: unauthorized(check.reason, baseUrl) };
  if (!check.roles.includes('Exchange.ManageAsApp'))
    return { admitted: false, appId: check.appId, response: emptyResponse(403, { 'Content-Length': '0' }) };
  return { admitted: true, appId: check.appId };
}

function unauthorized(reason: string, baseUrl: string): SimResponse {
  return jsonResponse(
    401,
    { error: { code: 'InvalidAuthenticationToken', message: `The access token is invalid (${reason}).` } },
    {
      'WWW-Authenticate': `Bearer client_id="00000002-0000-0ff1-ce00-000000000000", trusted_issuers="00000001-0000-0000-c000-000000000000@*", token_types="app_asserted_user_v1 service_asserted_app_v1", authorization_uri="${baseUrl}/common/oauth2/authorize", error="invalid_token"`,
    },
  );
}
