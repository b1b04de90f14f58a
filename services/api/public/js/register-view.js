import { ApiError } from "./api-client.js";
import { h, setText } from "./dom.js";

/**
 * @typedef {import("./api-client.js").ApiClient} ApiClient
 */

const REGION_PATTERN = "[a-z]{2}(-[a-z]+)+-\\d+";
const INSTANCE_PATTERN = "i-[0-9a-f]{8,17}";

/**
 * "Register a worker" (operators): an existing EC2 instance by region and instance id, optionally with a name and
 * the HTTPS endpoint of its CML controller. A known instance gets the name and (pinned) endpoint applied.
 * @param {HTMLElement} root
 * @param {{ api: ApiClient, onOpen: (id: string) => void }} deps
 */
export function createRegisterView(root, { api, onOpen }) {
  /** @param {string} id @param {string} label @param {Record<string, string | boolean>} attributes */
  const field = (id, label, attributes) =>
    h("label", { for: id }, label, h("input", { id, name: id, autocomplete: "off", ...attributes }));
  const form = h(
    "form",
    { class: "register-form", "aria-labelledby": "register-title" },
    field("register-region", "Region", { required: true, pattern: REGION_PATTERN, placeholder: "us-east-1" }),
    field("register-instance", "Instance id", {
      required: true,
      pattern: INSTANCE_PATTERN,
      placeholder: "i-0123456789abcdef0",
    }),
    field("register-name", "Name (optional)", { maxlength: "255" }),
    field("register-endpoint", "HTTPS endpoint (optional)", {
      type: "url",
      placeholder: "https://cml.example.com",
    }),
    h("button", { type: "submit" }, "Register"),
  );
  const result = h("p", { class: "register-result", role: "status", "aria-live": "polite" });
  const details = h(
    "details",
    { class: "register" },
    h("summary", { id: "register-title" }, "Register a worker"),
    form,
    result,
  );
  root.replaceChildren(details);

  /** @param {string} id */
  const value = (id) => /** @type {HTMLInputElement} */ (form.querySelector(`#${id}`)).value.trim();

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = value("register-name");
    const endpoint = value("register-endpoint");
    const registration = {
      region: value("register-region"),
      instance_id: value("register-instance"),
      ...(name === "" ? {} : { name }),
      ...(endpoint === "" ? {} : { https_endpoint: endpoint }),
    };
    const button = /** @type {HTMLButtonElement} */ (form.querySelector("button"));
    button.disabled = true;
    result.className = "register-result";
    setText(result, "Registering…");
    try {
      const { status, body } = await api.registerWorker(registration);
      const what = status === 201 ? "Registered" : "Updated";
      const shown = body.worker === null ? "it shows up once the aggregate has recorded it" : "open it";
      const link = h("a", { href: `#/workers/${body.id}` }, shown);
      link.addEventListener("click", () => onOpen(body.id));
      result.replaceChildren(`${what} ${registration.instance_id} (request ${body.request_id}); `, link);
      form.reset();
    } catch (error) {
      result.className = "register-result error";
      const problem = error instanceof ApiError ? error.problem : null;
      const param = problem?.param === undefined ? "" : ` (${problem.param})`;
      setText(result, `Not registered${param}: ${/** @type {Error} */ (error).message}`);
    } finally {
      button.disabled = false;
    }
  });

  return {
    /** @param {boolean} visible */
    setVisible(visible) {
      root.hidden = !visible;
    },
  };
}
