/**
 * "12 s ago", "5 min ago", "3 h ago", "2 d ago" for a past time; "never" for null.
 * @param {string | null} at RFC 3339 time
 * @param {number} nowMs
 */
export function formatAge(at, nowMs) {
  if (at === null) return "never";
  const seconds = Math.max(0, Math.round((nowMs - Date.parse(at)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3_600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3_600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

/**
 * Uptime in days and hours ("3 d 4 h", "5 h 12 min" under a day).
 * @param {number | null} seconds
 */
export function formatUptime(seconds) {
  if (seconds === null) return "—";
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3_600);
  if (days > 0) return `${days} d ${hours} h`;
  return `${hours} h ${Math.floor((seconds % 3_600) / 60)} min`;
}

/** @param {number | null} value */
export function formatPercent(value) {
  return value === null ? "—" : `${value.toFixed(1)} %`;
}

/** @param {string | null} at */
export function formatTime(at) {
  return at === null ? "—" : new Date(at).toLocaleString();
}

/** @param {boolean | null} value */
export function formatYesNo(value) {
  if (value === null) return "—";
  return value ? "yes" : "no";
}
