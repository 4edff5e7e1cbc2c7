// Keys: the named local keys, each with the models it may use, its limits and what
// each has used this period; made, changed, rotated and revoked through /v1/admin/keys.
// A secret is shown once, when it is made or rotated: the gateway keeps only its hash.

import { api } from "../api.js";
import { h, notice } from "../dom.js";
import { dateTime } from "../format.js";

export async function mount(main) {
  const list = h("div", { class: "scroll" });
  const message = h("p", { class: "notice", role: "status" });
  const secret = h("div", { class: "secret", hidden: true });
  const editor = h("div", { class: "edit-key-panel" });
  main.append(h("div", { class: "bar" }, h("h1", {}, "Keys")), message, secret, editor, list);
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
      const edit = (key) => editor.replaceChildren(editForm(key, done));
      list.replaceChildren(keys.length ? table(keys, { refresh, message, show, edit }) : notice("No keys yet."));
    } catch (error) {
      message.textContent = error.message;
    }
  };
  const done = async (said) => {
    editor.replaceChildren();
    if (said) message.textContent = said;
    await refresh();
  };
  main.append(createForm(refresh, show));
  await refresh();
}

function table(keys, page) {
  const head = ["Name", "Key", "State", "Models", "Limits", "Expires", ""];
  return h(
    "table",
    { class: "keys" },
    h("thead", {}, h("tr", {}, head.map((name) => h("th", {}, name)))),
    h("tbody", {}, keys.map((key) => row(key, page))),
  );
}

function row(key, page) {
  const models = (key.options.models || ["all"]).join(", ") + (key.options.deny ? `; not ${key.options.deny.join(", ")}` : "");
  return h(
    "tr",
    { "data-name": key.name },
    h("td", {}, key.name),
    h("td", {}, h("code", {}, key.prefix)),
    h("td", { class: `state ${key.state}` }, key.state),
    h("td", {}, models),
    h("td", {}, limits(key)),
    h("td", {}, key.expires_at ? dateTime(key.expires_at) : "never"),
    h("td", {}, key.state === "revoked" ? null : actions(key, page)),
  );
}

// The options that bound a request but count nothing over a period.
const BOUNDS = [
  ["max_concurrent", (n) => `at most ${n} at once`],
  ["max_output_tokens", (n) => `output at most ${n} tokens`],
  ["guard", (n) => `leaves a subscription account at ${n}%`],
];

function limits(key) {
  const lines = key.limits.map((shown) => limit(shown));
  for (const [name, said] of BOUNDS) if (key.options[name] !== undefined) lines.push(said(key.options[name]));
  return lines.length ? lines.map((line) => h("div", {}, line)) : "–";
}

function limit(shown) {
  const number = (value) => (shown.kind === "cost" ? `$${value.toFixed(2)}` : String(value));
  const used = shown.used === null ? "" : `${number(shown.used)} of `;
  return `${shown.name}: ${used}${number(shown.amount)} per ${shown.period}`;
}

function actions(key, { refresh, message, show, edit }) {
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
    h("button", { type: "button", onclick: () => edit(key) }, "Edit"),
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
  ["max_output_tokens", "Max output tokens", "8192"],
  ["guard", "Guard (% of a subscription window)", "80"],
  ["expires", "Expires", "30d or 2027-01-31"],
];
const LISTS = ["models", "deny"];
const INTEGERS = ["max_concurrent", "max_output_tokens"];
const NUMBERS = ["guard"];

/** An option as the admin API takes it, from the text of its field. */
function parsed(name, value) {
  if (LISTS.includes(name)) return value.split(",").map((glob) => glob.trim()).filter(Boolean);
  if (INTEGERS.includes(name) || NUMBERS.includes(name)) return Number(value);
  return value;
}

/** An option held, as the text of its field. */
function written(held) {
  if (held === undefined || held === null) return "";
  return Array.isArray(held) ? held.join(", ") : String(held);
}

/** A key's options changed (PATCH /v1/admin/keys/NAME): only the fields edited are
 * sent, so an expiry given as a span (30d) is not set again from now; a field
 * emptied unsets its option. */
function editForm(key, done) {
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const fields = FIELDS.filter(([name]) => name !== "name");
  const inputs = Object.fromEntries(fields.map(([name, , hint]) => [name, h("input", { name, placeholder: hint, value: written(key.options[name]) })]));
  const submit = async (event) => {
    event.preventDefault();
    const body = {};
    for (const [name, input] of Object.entries(inputs)) {
      const value = input.value.trim();
      if (value !== written(key.options[name])) body[name] = value ? parsed(name, value) : null;
    }
    if (!Object.keys(body).length) return done("");
    try {
      await api(`/v1/admin/keys/${encodeURIComponent(key.name)}`, { method: "PATCH", body });
      await done(`${key.name} updated`);
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
    }
  };
  return h(
    "form",
    { class: "panel add-account edit-key", "data-name": key.name, onsubmit: submit },
    h("h2", {}, `Change key ${key.name}`),
    fields.map(([name, label]) => h("label", {}, h("span", {}, label), inputs[name])),
    h("button", { type: "submit", class: "primary" }, "Save"),
    h("button", { type: "button", onclick: () => done("") }, "Cancel"),
    error,
  );
}

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
      if (value) body[name] = parsed(name, value);
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
