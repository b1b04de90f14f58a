import { ApiError, createApiClient, createTokenStore } from "./api-client.js";
import { DEFAULT_FRESHNESS_RULES, freshnessRulesOf } from "./fleet-model.js";
import { createFleetView } from "./fleet-view.js";
import { connectLiveFeed } from "./live-feed.js";
import { createRegisterView } from "./register-view.js";
import { createWorkerView } from "./worker-view.js";

/** Above this many changed workers at once, one list request is cheaper than one request per worker. */
const BULK_REFETCH_THRESHOLD = 50;
/** Performance measure from a worker's event arriving to its row being updated (includes the re-fetch). */
const EVENT_TO_RENDER_MEASURE = "fleet-event-to-render";
const AGE_TICK_MS = 10_000;
/** How often the summary bar's month-to-date cost is read again. */
const COST_TICK_MS = 30_000;
/** Waits between attempts of a first load that failed: 2 s, doubling, at most 30 s. */
const FIRST_LOAD_RETRY_MS = { first: 2_000, max: 30_000 };

/** @param {string} id */
function byId(id) {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`dashboard: #${id} is missing from index.html`);
  return element;
}

const tokens = createTokenStore(sessionStorage);
const authSection = byId("auth");
const authMessage = byId("auth-message");
const authForm = /** @type {HTMLFormElement} */ (byId("auth-form"));
const authInput = /** @type {HTMLInputElement} */ (byId("auth-token"));
const liveState = byId("live-state");
const principalLabel = byId("principal");
const forgetButton = byId("forget-token");
const fleetRoot = byId("fleet-view");
const workerRoot = byId("worker-view");
const registerRoot = byId("register-view");
const loadAlert = byId("load-alert");

/** @type {"viewer" | "operator" | null} null while unknown */
let role = null;
/** Staleness by the collection intervals the API is configured with (defaults until it told them). */
let freshnessRules = DEFAULT_FRESHNESS_RULES;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let retryTimer;
let retryMs = FIRST_LOAD_RETRY_MS.first;
/** @type {ReturnType<typeof connectLiveFeed> | null} */
let feed = null;
let lostFeed = false;

const api = createApiClient({
  tokens,
  onUnauthorized: () => {
    feed?.close();
    feed = null;
    clearTimeout(retryTimer);
    loadAlert.hidden = true;
    liveState.textContent = "signed out";
    liveState.className = "live live-offline";
    authMessage.textContent = tokens.get()
      ? "The API refused the token. Paste a valid one; it is kept for this browser tab only."
      : "The API needs a bearer token. It is kept for this browser tab only.";
    authSection.hidden = false;
    authInput.focus();
  },
});

/** @param {string} id */
const openWorker = (id) => {
  location.hash = `#/workers/${id}`;
};
const rules = () => freshnessRules;
const fleet = createFleetView(fleetRoot, { onOpen: openWorker, rules });
const workerView = createWorkerView(workerRoot, {
  api,
  rules,
  canOperate: () => role !== "viewer",
  onForbidden: () => {
    role = "viewer";
    registerView.setVisible(false);
  },
});
const registerView = createRegisterView(registerRoot, { api, onOpen: openWorker });

/** Workers whose row must be re-fetched, the fetched answers and removals waiting for the next frame. */
const dirty = new Set();
/** @type {Map<string, import("./fleet-model.js").Worker>} */
const fetched = new Map();
const removed = new Set();
/** When the oldest event not yet shown arrived, per worker. */
const receivedAt = new Map();
let fetching = false;
let frame = 0;

function scheduleFlush() {
  if (frame !== 0) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    const workers = [...fetched.values()];
    const gone = [...removed];
    fetched.clear();
    removed.clear();
    fleet.applyUpdates(workers, gone);
    for (const id of [...workers.map((worker) => worker.id), ...gone]) {
      const start = receivedAt.get(id);
      if (start === undefined) continue;
      receivedAt.delete(id);
      performance.measure(EVENT_TO_RENDER_MEASURE, { start });
    }
  });
}

/** @param {string} id */
async function fetchOne(id) {
  try {
    fetched.set(id, await api.getWorker(id));
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) removed.add(id);
    else console.warn(`worker ${id} could not be re-fetched: ${/** @type {Error} */ (error).message}`);
  }
}

async function fetchDirty() {
  if (fetching) return;
  fetching = true;
  try {
    while (dirty.size > 0) {
      const ids = [...dirty];
      dirty.clear();
      if (ids.length > BULK_REFETCH_THRESHOLD) {
        const wanted = new Set(ids);
        const all = await api.listWorkers();
        for (const worker of all) if (wanted.has(worker.id)) fetched.set(worker.id, worker);
        const listed = new Set(all.map((worker) => worker.id));
        for (const id of ids) if (!listed.has(id)) removed.add(id);
      } else {
        await Promise.all(ids.map(fetchOne));
      }
      scheduleFlush();
    }
  } catch (error) {
    console.warn(`live update failed: ${/** @type {Error} */ (error).message}`);
  } finally {
    fetching = false;
  }
}

/** @param {string} name @param {import("./live-feed.js").CloudEvent} event */
function onEvent(name, event) {
  if (typeof event.subject !== "string") return;
  dirty.add(event.subject);
  if (!receivedAt.has(event.subject)) receivedAt.set(event.subject, performance.now());
  void fetchDirty();
  workerView.onEvent(name, event);
}

async function loadFleet() {
  fleet.replaceAll(await api.listWorkers());
}

/**
 * Reads the fleet summary: the staleness rules (each source's collection interval) and this month's cost.
 * @returns {Promise<void>}
 */
async function loadSummary() {
  const summary = await api.fleetSummary();
  freshnessRules = freshnessRulesOf(summary);
  fleet.setCost(summary.cost);
}

/** Everything may have changed while events were missed: read the fleet and the open worker again. */
function reloadAll() {
  void loadFleet().catch((error) => console.warn(`reload failed: ${error.message}`));
  void loadSummary().catch((error) => console.warn(`summary reload failed: ${error.message}`));
  void workerView.reload();
}

function connectFeed() {
  feed?.close();
  feed = connectLiveFeed({
    url: api.eventsUrl,
    onEvent,
    onState: (state) => {
      liveState.textContent = { live: "live", reconnecting: "reconnecting…", offline: "offline, retrying" }[
        state
      ];
      liveState.className = `live live-${state}`;
      if (state === "offline") {
        lostFeed = true;
        // EventSource hides why it gave up; a refused token shows on any request, and asks to sign in again.
        void api.whoami().catch(() => {});
      }
      if (state === "live" && lostFeed) {
        // A new connection starts without Last-Event-ID: reload everything once so nothing missed stays wrong.
        lostFeed = false;
        reloadAll();
      }
    },
    onReset: reloadAll,
  });
}

/** @type {string | null} */
let openedId = null;

function route() {
  const match = /^#\/workers\/([^/]+)$/.exec(location.hash);
  if (match) {
    openedId = decodeURIComponent(/** @type {string} */ (match[1]));
    fleetRoot.hidden = true;
    registerView.setVisible(false);
    void workerView.show(openedId);
    return;
  }
  workerView.hide();
  fleetRoot.hidden = false;
  registerView.setVisible(role === "operator");
  document.title = "CML fleet · cml-telemetry";
  // Back on the fleet, keyboard users continue from the row they opened.
  if (openedId !== null) fleet.focusRow(openedId);
  openedId = null;
}

/** @param {unknown} error */
function isUnauthorized(error) {
  return error instanceof ApiError && error.status === 401;
}

/** Says the first load failed and tries again later, each time waiting longer. */
/** @param {unknown} error */
function retryStart(error) {
  const seconds = Math.round(retryMs / 1000);
  loadAlert.textContent = `The fleet could not be loaded: ${/** @type {Error} */ (error).message}. Trying again in ${seconds} s…`;
  loadAlert.hidden = false;
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => void start(), retryMs);
  retryMs = Math.min(retryMs * 2, FIRST_LOAD_RETRY_MS.max);
}

async function start() {
  clearTimeout(retryTimer);
  try {
    const principal = await api.whoami();
    role = principal.role;
    principalLabel.textContent = `${principal.name} (${principal.role})`;
  } catch (error) {
    if (isUnauthorized(error)) return;
    retryStart(error);
    return;
  }
  forgetButton.hidden = tokens.get() === null;
  try {
    await loadSummary();
  } catch (error) {
    if (isUnauthorized(error)) return;
    console.warn(
      `collection intervals unknown, staleness assumes the defaults: ${/** @type {Error} */ (error).message}`,
    );
  }
  try {
    await loadFleet();
  } catch (error) {
    if (!isUnauthorized(error)) retryStart(error);
    return;
  }
  loadAlert.hidden = true;
  retryMs = FIRST_LOAD_RETRY_MS.first;
  connectFeed();
  route();
}

authForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const token = authInput.value.trim();
  if (token === "") return;
  tokens.set(token);
  authInput.value = "";
  authSection.hidden = true;
  void start();
});
forgetButton.addEventListener("click", () => {
  tokens.clear();
  location.reload();
});
window.addEventListener("hashchange", route);
window.addEventListener("resize", () => workerView.resize());
setInterval(() => {
  fleet.refreshAges();
  workerView.refreshAges();
}, AGE_TICK_MS);
setInterval(() => {
  if (feed !== null) void loadSummary().catch((error) => console.warn(`cost not read: ${error.message}`));
}, COST_TICK_MS);

void start();
