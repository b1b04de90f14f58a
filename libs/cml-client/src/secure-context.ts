import { createSecureContext, type SecureContext } from "node:tls";

const contexts = new Map<string, SecureContext>();

/**
 * One TLS context per trusted-CA bundle, shared by every controller connection that trusts it. Given only `ca`,
 * each TLS connection would parse the PEM and build its own certificate store again.
 */
export function secureContextFor(caPem: string): SecureContext {
  let context = contexts.get(caPem);
  if (!context) {
    context = createSecureContext({ ca: caPem });
    contexts.set(caPem, context);
  }
  return context;
}
