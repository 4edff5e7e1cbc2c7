// Request: one trace. What was asked and what served it, why that account, every
// attempt on a timeline, usage and cost, and (when bodies are kept) the client's
// request beside the request dragoman sent upstream.

import { api } from "../api.js";
import { h, notice } from "../dom.js";
import { dateTime, money, ms, statusClass, tokens } from "../format.js";

const USAGE_KINDS = ["input_uncached", "cache_read", "cache_write", "output", "reasoning", "input", "total"];

export async function mount(main, [id]) {
  let record;
  try {
    record = await api(`/v1/traces/${encodeURIComponent(id)}`);
  } catch (error) {
    main.append(h("p", {}, h("a", { href: "/ui/live" }, "← Live")), notice(error.message, "error"));
    return;
  }
  main.append(
    h("p", {}, h("a", { href: "/ui/live" }, "← Live")),
    h("div", { class: "bar" }, h("h1", {}, record.model || "request"), h("span", { class: `badge ${statusClass(record.status)}` }, record.status)),
    h("section", { class: "panel" }, h("h2", {}, "Summary"), facts(record)),
    h("section", { class: "panel" }, h("h2", {}, "Attempts"), timeline(record)),
    h("section", { class: "panel" }, h("h2", {}, "Usage and cost"), usageTable(record)),
    bodies(record),
  );
}

function facts(record) {
  const rows = [
    ["id", record.id],
    ["time", dateTime(record.time)],
    ["client", `${record.client || "–"} (${record.user_agent || "no user agent"})`],
    ["local key", record.key],
    ["dialect · route", `${record.dialect} · ${record.route}`],
    ["model", `${record.model || "–"} → ${record.upstream_model || "–"}`],
    ["account", record.account ? `${record.account} (${record.provider})` : "–"],
    ["routing reason", record.reason || "–"],
    ["stream", record.stream ? `yes, ended ${record.ended || "–"}` : "no"],
    ["TTFB · duration", `${ms(record.ttfb_ms)} · ${ms(record.duration_ms)}`],
    ["bytes in · out", `${record.bytes_in} · ${record.bytes_out}`],
  ];
  return h("dl", { class: "facts" }, rows.map(([name, value]) => [h("dt", {}, name), h("dd", {}, String(value ?? "–"))]));
}

function timeline(record) {
  const attempts = record.attempts || [];
  if (!attempts.length) return notice("No upstream was called.");
  const span = Math.max(record.duration_ms || 0, ...attempts.map((a) => (a.started_ms || 0) + (a.latency_ms || 0)), 1);
  return h(
    "ol",
    { class: "timeline" },
    attempts.map((attempt) => {
      const left = ((attempt.started_ms || 0) / span) * 100;
      const width = Math.max(((attempt.latency_ms || 0) / span) * 100, 0.5);
      const what = [attempt.error, attempt.rule, attempt.cooldown && `cooldown: ${attempt.cooldown}`, attempt.fail_over && "failed over"];
      return h(
        "li",
        {},
        h("div", { class: "attempt-head" }, h("strong", {}, attempt.account), ` ${attempt.model} · `, h("span", { class: `badge ${statusClass(attempt.status || 599)}` }, attempt.status ?? "no answer"), ` · ${ms(attempt.latency_ms)}`),
        h("div", { class: "track" }, h("div", { class: `span ${statusClass(attempt.status || 599)}`, style: { left: `${left}%`, width: `${width}%` } })),
        h("div", { class: "muted" }, attempt.url, what.filter(Boolean).length ? ` — ${what.filter(Boolean).join("; ")}` : ""),
      );
    }),
  );
}

function usageTable(record) {
  const usage = record.usage;
  const cost = h("p", {}, "Estimated cost: ", h("strong", {}, money(record.cost, record.cost_estimate)), record.cost_estimate ? " (an estimate: a subscription account's price is its plan)" : "", record.cost === null ? " (no price known for this model)" : "");
  if (!usage) return h("div", {}, notice("No usage was reported."), cost);
  return h(
    "div",
    {},
    h("table", { class: "compact" }, h("tbody", {}, USAGE_KINDS.map((kind) => h("tr", {}, h("th", {}, kind.replace("_", " ")), h("td", { class: "num" }, tokens(usage[kind])))))),
    cost,
  );
}

function bodies(record) {
  const kept = record.bodies;
  if (!kept) return h("section", { class: "panel" }, h("h2", {}, "Bodies"), notice('Not kept for this request (trace_bodies = "errors" or "all" keeps them).'));
  const upstream = kept.upstream || [];
  return h(
    "section",
    { class: "panel" },
    h("h2", {}, "Bodies"),
    upstream.length ? upstream.map((sent, n) => h("div", { class: "side-by-side" }, body("Client request", kept.client_request), body(`Upstream request (${record.attempts?.[n]?.account || n + 1})`, sent.request), body("Upstream answer", sent.answer))) : h("div", { class: "side-by-side" }, body("Client request", kept.client_request)),
  );
}

function body(title, text) {
  let shown = text || "";
  try {
    shown = JSON.stringify(JSON.parse(shown), null, 2);
  } catch {
    // not JSON (a stream, or cut short): shown as it came
  }
  return h("figure", {}, h("figcaption", {}, title), h("pre", {}, shown || "(empty)"));
}
