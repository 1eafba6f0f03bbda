import { createHash, timingSafeEqual, X509Certificate } from 'node:crypto';
import { EXCHANGE_ROLES } from '../state/roleCatalog';

/** Application permissions (app roles) the simulator understands. */
export const GRAPH_APP_ROLES = [
  'User.ReadWrite.All',
  'Domain.Read.All',
  'Organization.Read.All',
  'RoleManagement.ReadWrite.Directory',
  'Policy.Read.All',
  'UserAuthenticationMethod.Read.All',
  'Application.Read.All',
  'Directory.Read.All',
  'GroupMember.Read.All',
] as const;
export const EXCHANGE_APP_ROLES = ['Exchange.ManageAsApp'] as const;

/** An app registration the token endpoint accepts. */
export interface ClientRegistration {
  clientId: string;
  /** Accepted client secret. */
  secret?: string;
  /** PEM holding one or more certificates (a private key in the same text is ignored). */
  certificatePem?: string;
  /** Graph application permissions granted (default: all of `GRAPH_APP_ROLES`). */
  graphRoles?: readonly string[];
  /** Exchange application permissions granted (default: `Exchange.ManageAsApp`). */
  exchangeRoles?: readonly string[];
  /**
   * The Exchange management roles the app holds (through its Entra role, e.g. Exchange Administrator,
   * or role groups): they decide which cmdlets its sessions have; any other cmdlet is "not
   * recognized". Default: every role of Organization Management (`EXCHANGE_ROLES`), full rights.
   */
  exchangeManagementRoles?: readonly string[];
}

export interface RegisteredCertificate {
  certificate: X509Certificate;
  /** base64url SHA-1 of the DER: what a client assertion's `x5t` header carries. */
  x5t: string;
  /** base64url SHA-256 of the DER: the `x5t#S256` header. */
  x5tS256: string;
}

export interface RegisteredClient {
  clientId: string;
  secret?: string;
  certificates: RegisteredCertificate[];
  graphRoles: string[];
  exchangeRoles: string[];
  exchangeManagementRoles: string[];
}

export class ClientRegistry {
  private readonly clients = new Map<string, RegisteredClient>();

  register(registration: ClientRegistration): void {
    const certificates = (
      registration.certificatePem?.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ??
      []
    ).map((pem) => {
      const certificate = new X509Certificate(pem);
      return {
        certificate,
        x5t: createHash('sha1').update(certificate.raw).digest('base64url'),
        x5tS256: createHash('sha256').update(certificate.raw).digest('base64url'),
      };
    });
    if (registration.certificatePem !== undefined && certificates.length === 0) {
      throw new Error(`registerClient(${registration.clientId}): certificatePem holds no certificate`);
    }
    if (registration.secret === undefined && certificates.length === 0) {
      throw new Error(`registerClient(${registration.clientId}): give a secret or a certificatePem`);
    }
    this.clients.set(registration.clientId.toLowerCase(), {
      clientId: registration.clientId,
      secret: registration.secret,
      certificates,
      graphRoles: [...(registration.graphRoles ?? GRAPH_APP_ROLES)],
      exchangeRoles: [...(registration.exchangeRoles ?? EXCHANGE_APP_ROLES)],
      exchangeManagementRoles: [...(registration.exchangeManagementRoles ?? EXCHANGE_ROLES)],
    });
  }

  get(clientId: string): RegisteredClient | undefined {
    return this.clients.get(clientId.toLowerCase());
  }
}

export function secretMatches(client: RegisteredClient, presented: string): boolean {
  if (client.secret === undefined) return false;
  const expected = createHash('sha256').update(client.secret).digest();
  const actual = createHash('sha256').update(presented).digest();
  return timingSafeEqual(expected, actual);
}
