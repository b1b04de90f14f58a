/** Region and signing service from a SigV4 `Authorization` header. */
export interface CredentialScope {
  region: string;
  service: string;
}

const SCOPE = /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

/** Reads `Credential=AKID/date/<region>/<service>/aws4_request`; undefined when absent or malformed. */
export function parseCredentialScope(authorization: string | undefined): CredentialScope | undefined {
  if (!authorization) return undefined;
  const match = SCOPE.exec(authorization);
  if (!match?.[1] || !match[2]) return undefined;
  return { region: match[1], service: match[2] };
}
