// Keys: the named local keys, each with the models it may use, its limits and what
// each has used this period; made, rotated and revoked through /v1/admin/keys. A
// secret is shown once, when it is made or rotated: the gateway keeps only its hash.

import { api } from "../api.js";
import { h, notice } from "../dom.js";
import { dateTime } from "../format.js";

export async function mount(main) {
  const list = h("div", { class: "scroll" });
  const message = h("p", { class: "notice", role: "status" });
  const secret = h("div", { class: "secret", hidden: true });
  main.append(h("div", { class: "bar" }, h("h1", {}, "Keys")), message, secret, list);
  const show = (key, what) => {
    secret.replaceChildren(
      h("p", {}, `Key ${key.name} ${what}. Its secret, shown this once: copy it now.`),
      h("code", { class: "secret-value" }, key.secret),
    );
    secret.hidden = false;
  };
  const refresh = async () => {
    try {
      const { keys } = await api("/v1/admin/keys");
      list.replaceChildren(keys.length ? table(keys, refresh, message, show) : notice("No keys yet."));
    } catch (error) {
      message.textContent = error.message;
    }
  };
  main.append(createForm(refresh, show));
  await refresh();
}

function table(keys, refresh, message, show) {
  const head = ["Name", "Key", "State", "Models", "Limits", "Expires", ""];
  return h(
    "table",
    { class: "keys" },
    h("thead", {}, h("tr", {}, head.map((name) => h("th", {}, name)))),
    h("tbody", {}, keys.map((key) => row(key, refresh, message, show))),
  );
}

function row(key, refresh, message, show) {
  const models = (key.options.models || ["all"]).join(", ") + (key.options.deny ? `; not ${key.options.deny.join(", ")}` : "");
  return h(
    "tr",
    { "data-name": key.name },
    h("td", {}, key.name),
    h("td", {}, h("code", {}, key.prefix)),
    h("td", { class: `state ${key.state}` }, key.state),
    h("td", {}, models),
    h("td", {}, key.limits.length ? key.limits.map((shown) => h("div", {}, limit(shown))) : "–"),
    h("td", {}, key.expires_at ? dateTime(key.expires_at) : "never"),
    h("td", {}, key.state === "revoked" ? null : actions(key, refresh, message, show)),
  );
}

function limit(shown) {
  const number = (value) => (shown.kind === "cost" ? `$${value.toFixed(2)}` : String(value));
  const used = shown.used === null ? "" : `${number(shown.used)} of `;
  return `${shown.name}: ${used}${number(shown.amount)} per ${shown.period}`;
}

function actions(key, refresh, message, show) {
  const name = encodeURIComponent(key.name);
  const run = (what, call) => async () => {
    try {
      const answer = await call();
      if (answer.secret) show(answer, what);
      message.textContent = `${key.name} ${what}`;
    } catch (error) {
      message.textContent = `${what} ${key.name}: ${error.message}`;
    }
    await refresh();
  };
  return h(
    "div",
    { class: "actions" },
    h("button", { type: "button", onclick: run("rotated", () => api(`/v1/admin/keys/${name}/rotate`, { method: "POST" })) }, "Rotate"),
    h("button", { type: "button", onclick: run("revoked", () => api(`/v1/admin/keys/${name}`, { method: "DELETE" })) }, "Revoke"),
  );
}

// The form's fields: the options of `dragoman keys create`, as text.
const FIELDS = [
  ["name", "Name", "alice"],
  ["models", "Models", "comma-separated globs; default all"],
  ["deny", "Deny", "comma-separated globs"],
  ["budget", "Budget", "20usd/month"],
  ["tokens", "Tokens", "5M/day"],
  ["requests", "Requests", "1000/day"],
  ["rpm", "Requests per minute", "60"],
  ["tpm", "Tokens per minute", "200k"],
  ["max_concurrent", "Max concurrent", "4"],
  ["expires", "Expires", "30d or 2027-01-31"],
];
const LISTS = ["models", "deny"];
const INTEGERS = ["max_concurrent"];

/** A key made (POST /v1/admin/keys): its secret shown once. */
function createForm(refresh, show) {
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const inputs = Object.fromEntries(FIELDS.map(([name, , hint]) => [name, h("input", { name, placeholder: hint, required: name === "name" })]));
  const submit = async (event) => {
    event.preventDefault();
    error.hidden = true;
    const body = {};
    for (const [name, input] of Object.entries(inputs)) {
      const value = input.value.trim();
      if (!value) continue;
      body[name] = LISTS.includes(name) ? value.split(",").map((glob) => glob.trim()).filter(Boolean) : INTEGERS.includes(name) ? Number(value) : value;
    }
    try {
      const made = await api("/v1/admin/keys", { method: "POST", body });
      form.reset();
      show(made, "made");
      await refresh();
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
    }
  };
  const form = h(
    "form",
    { class: "add-account add-key", onsubmit: submit },
    FIELDS.map(([name, label]) => h("label", {}, h("span", {}, label), inputs[name])),
    h("button", { type: "submit", class: "primary" }, "Make key"),
    error,
  );
  return h("details", { class: "panel" }, h("summary", {}, "Make a key"), form);
}
