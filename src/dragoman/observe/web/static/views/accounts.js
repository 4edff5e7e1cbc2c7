// Accounts: each account's state and why, its cooldowns counting down, its usage
// windows as bars with their reset countdown, bound sessions and requests in flight;
// and the buttons that steer it through /v1/admin/accounts/{label}/...

import { api } from "../api.js";
import { h, notice } from "../dom.js";
import { countdown } from "../format.js";

const REFRESH_MS = 5000;

export async function mount(main) {
  const list = h("div", { class: "cards" });
  const message = h("p", { class: "notice", role: "status" });
  main.append(h("div", { class: "bar" }, h("h1", {}, "Accounts")), message, list);
  const refresh = async () => {
    if (list.contains(document.activeElement) && document.activeElement.tagName === "INPUT") return;
    try {
      const { accounts } = await api("/v1/admin/accounts");
      list.replaceChildren(...(accounts.length ? accounts.map((account) => card(account, refresh, message)) : [notice("No accounts yet.")]));
    } catch (error) {
      message.textContent = error.message;
    }
  };
  main.append(addForm(refresh));
  await refresh();
  const timers = [setInterval(refresh, REFRESH_MS), setInterval(() => tick(list), 1000)];
  return { stop: () => timers.forEach(clearInterval) };
}

/** Every countdown on the page, one second on. */
function tick(root) {
  for (const element of root.querySelectorAll("[data-until]")) {
    element.textContent = `${element.dataset.prefix}${countdown(Number(element.dataset.until))}`;
  }
}

function later(until, prefix) {
  return h("span", { class: "countdown", "data-until": until, "data-prefix": prefix }, `${prefix}${countdown(until)}`);
}

function card(account, refresh, message) {
  const state = account.state;
  return h(
    "article",
    { class: `card ${state.status}`, "data-label": account.label },
    h("header", {}, h("h2", {}, account.label), h("span", { class: `state ${state.status}` }, state.status)),
    h("p", { class: "muted" }, `${account.kind} · ${account.auth} ${account.key || ""} · ${account.dialect}`),
    state.status !== "ready" && state.status !== "disabled" && state.reason ? h("p", { class: "reason" }, state.reason) : null,
    state.until ? h("p", { class: "cooldown-ends" }, later(state.until, "cooldown ends in ")) : null,
    cooldowns(account.cooldowns),
    windows(account.windows),
    clientLogins(account.client_logins),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "in flight"), h("dd", { class: "in-flight" }, account.in_flight),
      h("dt", {}, "bound sessions"), h("dd", {}, account.sessions.count),
      h("dt", {}, "policy"), h("dd", {}, `priority ${account.policy.priority} · weight ${account.policy.weight} · max ${account.policy.max_concurrent ?? "∞"}`),
      h("dt", {}, "models"), h("dd", {}, account.models.join(", ") || "–"),
      account.last_error ? [h("dt", {}, "last error"), h("dd", {}, account.last_error.message)] : null,
    ),
    actions(account, refresh, message),
  );
}

function cooldowns(list) {
  const scoped = list.filter((cooldown) => cooldown.scope !== "account");
  if (!scoped.length) return null;
  return h("ul", { class: "cooldowns" }, scoped.map((cooldown) => h("li", {}, `${cooldown.scope} (${cooldown.kind}): ${cooldown.reason} `, cooldown.until ? later(cooldown.until, "· ends in ") : "· until reset")));
}

// An `auth = "client"` account: each login its clients brought, known by a digest of the token.
function clientLogins(list) {
  if (!list || !list.length) return null;
  return h(
    "div",
    { class: "client-logins" },
    list.map((login) => h("div", { class: "client-login" }, h("p", { class: "muted" }, `login ${login.login}`), windows(login.usage))),
  );
}

function windows(list) {
  if (!list.length) return null;
  return h(
    "div",
    { class: "windows" },
    list.map((window) => {
      const used = Math.min(100, Math.max(0, window.used_percent));
      const name = [window.family, window.name].filter(Boolean).join(" ");
      return h(
        "div",
        { class: "window" },
        h("div", { class: "window-label" }, h("span", {}, `${name}: ${Math.round(used)}% used`), window.resets_at ? later(window.resets_at, "resets in ") : null),
        h("div", { class: "meter", role: "meter", "aria-valuenow": used, "aria-valuemin": 0, "aria-valuemax": 100 }, h("div", { class: used >= 90 ? "fill high" : "fill", style: { width: `${used}%` } })),
      );
    }),
  );
}

function actions(account, refresh, message) {
  const label = encodeURIComponent(account.label);
  const run = (what, call) => async () => {
    message.textContent = `${what} ${account.label}…`;
    try {
      const answer = await call();
      message.textContent = answer && "ok" in answer ? testResult(account.label, answer) : `${what} ${account.label}: done`;
    } catch (error) {
      message.textContent = `${what} ${account.label}: ${error.message}`;
    }
    await refresh();
  };
  const post = (action) => () => api(`/v1/admin/accounts/${label}/${action}`, { method: "POST" });
  const enabled = account.policy.enabled;
  const priority = h("input", { type: "number", min: 0, value: account.policy.priority, "aria-label": "priority", class: "priority" });
  const setPriority = () => api(`/v1/admin/accounts/${label}`, { method: "PATCH", body: { priority: Number(priority.value) } });
  return h(
    "div",
    { class: "actions" },
    h("button", { type: "button", class: enabled ? "" : "primary", onclick: run(enabled ? "disable" : "enable", post(enabled ? "disable" : "enable")) }, enabled ? "Disable" : "Enable"),
    h("button", { type: "button", onclick: run("reset", post("reset")) }, "Reset cooldown"),
    account.state.status === "unusable" ? null : h("button", { type: "button", onclick: run("test", post("test")) }, "Test"),
    h("span", { class: "priority-set" }, priority, h("button", { type: "button", onclick: run("set priority of", setPriority) }, "Set priority")),
  );
}

const DIALECTS = ["", "anthropic", "gemini", "openai_chat", "openai_responses"];

/** An API-key account added (POST /v1/admin/accounts); the gateway serves it within seconds. */
function addForm(refresh) {
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const done = h("p", { class: "notice", hidden: true });
  const field = (label, input) => h("label", {}, h("span", {}, label), input);
  const inputs = {
    provider: h("input", { name: "provider", required: true, placeholder: "openai, anthropic, openai_compatible…" }),
    label: h("input", { name: "label", placeholder: "default: the kind" }),
    api_key: h("input", { name: "api_key", type: "password", required: true, autocomplete: "off" }),
    base_url: h("input", { name: "base_url", placeholder: "for kinds without a fixed one" }),
    dialect: h("select", { name: "dialect" }, DIALECTS.map((name) => h("option", { value: name }, name || "the kind's own"))),
    models: h("input", { name: "models", placeholder: "comma-separated; default: the kind's" }),
  };
  const submit = async (event) => {
    event.preventDefault();
    error.hidden = done.hidden = true;
    const body = Object.fromEntries(Object.entries(inputs).map(([name, input]) => [name, input.value.trim()]));
    body.models = body.models ? body.models.split(",").map((model) => model.trim()).filter(Boolean) : [];
    for (const name of ["label", "base_url", "dialect"]) if (!body[name]) delete body[name];
    try {
      const added = await api("/v1/admin/accounts", { method: "POST", body });
      form.reset();
      done.textContent = `Added ${added.label}: served within a few seconds.`;
      done.hidden = false;
      setTimeout(refresh, 2500);
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
    }
  };
  const form = h(
    "form",
    { class: "add-account", onsubmit: submit },
    field("Provider kind", inputs.provider),
    field("Label", inputs.label),
    field("API key", inputs.api_key),
    field("Base URL", inputs.base_url),
    field("Dialect", inputs.dialect),
    field("Models", inputs.models),
    h("button", { type: "submit", class: "primary" }, "Add account"),
    error,
    done,
  );
  return h("details", { class: "panel" }, h("summary", {}, "Add an API-key account"), form);
}

function testResult(label, outcome) {
  if (outcome.ok) return `test ${label}: ok, ${outcome.status} in ${Math.round(outcome.latency_ms)} ms: "${outcome.reply || ""}"`;
  return `test ${label}: failed: ${outcome.error}`;
}
