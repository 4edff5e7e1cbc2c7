// Live: the latest requests, then each one as it ends (the SSE feed /v1/traces/stream),
// newest on top; the filter narrows the rows shown as they arrive.

import { api } from "../api.js";
import { h } from "../dom.js";
import { clock, money, ms, statusClass, tokens } from "../format.js";

const KEPT = 500;
const COLUMNS = ["Time", "Client", "Model → account", "Status", "TTFB", "Duration", "Tokens", "Cost"];

export async function mount(main) {
  const rows = h("tbody", {});
  const state = h("span", { class: "feed-state" }, "connecting…");
  const text = h("input", { type: "search", placeholder: "Filter: model, account, client, status…", "aria-label": "Filter" });
  const errorsOnly = h("input", { type: "checkbox", id: "errors-only" });
  const filter = () => applyFilter(rows, text.value, errorsOnly.checked);
  text.addEventListener("input", filter);
  errorsOnly.addEventListener("change", filter);
  main.append(
    h("div", { class: "bar" }, h("h1", {}, "Live"), state),
    h("div", { class: "filters" }, text, h("label", { for: "errors-only" }, errorsOnly, " errors only")),
    h("div", { class: "scroll" }, h("table", { class: "live" }, h("thead", {}, h("tr", {}, COLUMNS.map((name) => h("th", {}, name)))), rows)),
  );
  const add = (record) => {
    if (rows.querySelector(`tr[data-id="${CSS.escape(record.id)}"]`)) return;
    const row = rowOf(record);
    row.hidden = !shown(row, text.value, errorsOnly.checked);
    // Newest first, wherever a record arrives from (the feed, or a snapshot after a gap).
    const later = [...rows.children].find((other) => Number(other.dataset.time) < record.time);
    rows.insertBefore(row, later || null);
    while (rows.children.length > KEPT) rows.lastElementChild.remove();
  };
  const snapshot = async () => {
    try {
      const latest = await api("/v1/traces?limit=100");
      for (const record of latest.traces) add(record);
    } catch (error) {
      state.textContent = error.message;
    }
  };
  // An EventSource reconnects by itself but cannot replay what it missed meanwhile:
  // after a gap, the latest page fills it in.
  let gap = false;
  const feed = new EventSource("/v1/traces/stream");
  feed.addEventListener("open", () => {
    state.textContent = "● live";
    if (gap) snapshot();
    gap = false;
  });
  feed.addEventListener("error", () => {
    state.textContent = "reconnecting…";
    gap = true;
  });
  feed.addEventListener("trace", (event) => add(JSON.parse(event.data)));
  await snapshot();
  return { stop: () => feed.close() };
}

function rowOf(record) {
  const usage = record.usage;
  const account = record.account ? `${record.provider || "?"}/${record.account}` : "–";
  const failed = record.status >= 400 || (record.ended && record.ended !== "ok");
  const row = h(
    "tr",
    { "data-id": record.id, class: failed ? "failed" : "" },
    h("td", {}, h("a", { href: `/ui/requests/${encodeURIComponent(record.id)}` }, clock(record.time))),
    h("td", {}, record.client || "–"),
    h("td", {}, h("span", { class: "model" }, record.model || "–"), " → ", account),
    h("td", {}, h("span", { class: `badge ${statusClass(record.status)}` }, record.status), record.ended && record.ended !== "ok" ? ` ${record.ended}` : ""),
    h("td", { class: "num" }, ms(record.ttfb_ms)),
    h("td", { class: "num" }, ms(record.duration_ms)),
    h("td", { class: "num", title: usage ? `in ${usage.input} · out ${usage.output}` : "" }, usage ? tokens(usage.total) : "–"),
    h("td", { class: "num" }, money(record.cost, record.cost_estimate)),
  );
  row.dataset.text = [record.model, record.upstream_model, record.account, record.provider, record.client, record.status, record.key, record.id]
    .filter((part) => part !== null && part !== undefined)
    .join(" ")
    .toLowerCase();
  row.dataset.failed = failed ? "1" : "";
  row.dataset.time = String(record.time);
  return row;
}

function shown(row, text, errorsOnly) {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  return words.every((word) => row.dataset.text.includes(word)) && (!errorsOnly || row.dataset.failed === "1");
}

function applyFilter(rows, text, errorsOnly) {
  for (const row of rows.children) row.hidden = !shown(row, text, errorsOnly);
}
