/** Domain event names of `CML_WORKER_EVENTS` (the SSE `event:` field): the contracts' list (a unit test holds them equal). */
export const DOMAIN_EVENT_NAMES = [
  "registered",
  "instance_assigned",
  "status_changed",
  "service_status_changed",
  "endpoint_changed",
  "license_changed",
  "ec2_metrics_updated",
  "cloudwatch_metrics_updated",
  "cml_metrics_updated",
  "source_failed",
  "idle_detected",
  "terminated",
  "start_requested",
  "stop_requested",
  "terminate_requested",
  "idle_stop_skipped",
];

/**
 * @typedef {{ id: string, type: string, subject?: string, time?: string, correlationid?: string, data?: any }} CloudEvent
 * @typedef {"live" | "reconnecting" | "offline"} FeedState
 */

const RETRY_MS = 5_000;

/**
 * Follows `GET /api/v1/events` with EventSource (which resumes with `Last-Event-ID` itself). When the browser gives
 * up (e.g. the token was refused) it opens a new connection after 5 s, with the current URL. `onReset` runs when
 * the API says the stream no longer holds the resume point (`event: reset`): events were missed, re-read state.
 * @param {{ url: () => string, onEvent: (name: string, event: CloudEvent) => void, onState: (state: FeedState) => void, onReset: () => void }} deps
 * @returns {{ close(): void, reconnect(): void }}
 */
export function connectLiveFeed({ url, onEvent, onState, onReset }) {
  /** @type {EventSource | null} */
  let source = null;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let retry;
  let closed = false;

  /** @param {string} name @param {MessageEvent} message */
  function deliver(name, message) {
    let event;
    try {
      event = JSON.parse(message.data);
    } catch {
      console.warn(`live feed: event ${message.lastEventId} is not JSON; skipped`);
      return;
    }
    onEvent(name, event);
  }

  function open() {
    clearTimeout(retry);
    source?.close();
    const current = new EventSource(url());
    source = current;
    current.onopen = () => onState("live");
    current.onerror = () => {
      if (current.readyState !== EventSource.CLOSED) {
        onState("reconnecting");
        return;
      }
      onState("offline");
      if (!closed) retry = setTimeout(open, RETRY_MS);
    };
    for (const name of DOMAIN_EVENT_NAMES) {
      current.addEventListener(name, (message) => deliver(name, /** @type {MessageEvent} */ (message)));
    }
    current.addEventListener("reset", () => onReset());
  }

  open();
  return {
    close() {
      closed = true;
      clearTimeout(retry);
      source?.close();
    },
    reconnect: open,
  };
}
