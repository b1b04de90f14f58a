import { SYSTEM_INFO_MAX_BYTES, SYSTEM_INFO_TRUNCATED_KEY } from "@cml-telemetry/contracts";

/** Room kept for the truncation marker itself. */
const MARKER_BYTES = 80;

/**
 * CML's `/system_information` body as the state and the events keep it: unchanged up to
 * {@link SYSTEM_INFO_MAX_BYTES} bytes of JSON, else the top-level fields that fit (in their order) plus a
 * `_truncated: { originalBytes, maxBytes }` marker. Bounds what a worker record holds whatever a CML server answers.
 * @example boundSystemInfo({ version: "2.9.1", ready: true }) // unchanged
 */
export function boundSystemInfo(
  systemInfo: Readonly<Record<string, unknown>> | null,
  maxBytes = SYSTEM_INFO_MAX_BYTES,
): Record<string, unknown> | null {
  if (systemInfo === null) return null;
  const originalBytes = Buffer.byteLength(JSON.stringify(systemInfo));
  if (originalBytes <= maxBytes) return systemInfo as Record<string, unknown>;
  const kept: Record<string, unknown> = {};
  // `{}` plus, per field, its key and value and a separator.
  let bytes = 2 + MARKER_BYTES;
  for (const [key, value] of Object.entries(systemInfo)) {
    if (key === SYSTEM_INFO_TRUNCATED_KEY) continue;
    const fieldBytes =
      Buffer.byteLength(JSON.stringify(key)) + Buffer.byteLength(JSON.stringify(value) ?? "") + 2;
    if (bytes + fieldBytes > maxBytes) continue;
    kept[key] = value;
    bytes += fieldBytes;
  }
  kept[SYSTEM_INFO_TRUNCATED_KEY] = { originalBytes, maxBytes };
  return kept;
}
