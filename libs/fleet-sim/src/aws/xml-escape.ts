const XML_ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

/** Escapes text for an XML element or attribute. */
export function xmlEscape(value: string): string {
  return /[&<>"']/.test(value) ? value.replace(/[&<>"']/g, (c) => XML_ENTITIES[c] ?? c) : value;
}
