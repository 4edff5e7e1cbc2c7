// Usage: tokens and cost per day by account, by model and by local key, from the usage
// ledger (/v1/usage), each as a stacked bar chart with its totals beneath.

import { api } from "../api.js";
import { stackedBars } from "../chart.js";
import { h, notice } from "../dom.js";
import { money, tokens } from "../format.js";

const DIMENSIONS = [
  ["account", "By account"],
  ["model", "By model"],
  ["key", "By local key"],
];
const PERIODS = ["7d", "30d", "90d"];

const DAY_MS = 86_400_000;

/** The UTC days of the period, as the ledger names them ("2026-01-02"), oldest first. */
function periodDays(since) {
  const count = Number.parseInt(since, 10);
  const today = Date.now();
  return Array.from({ length: count }, (_, back) => new Date(today - (count - 1 - back) * DAY_MS).toISOString().slice(0, 10));
}

const tokenCount = (row) => row.input_uncached + row.cache_read + row.cache_write + row.output;

export async function mount(main, _args, query) {
  const since = PERIODS.includes(query.get("since")) ? query.get("since") : "7d";
  main.append(
    h("div", { class: "bar" }, h("h1", {}, "Usage"), h("nav", { class: "periods" }, PERIODS.map((period) => h("a", { href: `/ui/usage?since=${period}`, class: period === since ? "active" : "" }, period)))),
  );
  for (const [dimension, title] of DIMENSIONS) {
    const section = h("section", { class: "panel usage", "data-dimension": dimension }, h("h2", {}, title));
    main.append(section);
    try {
      const { usage } = await api(`/v1/usage?group_by=day,${dimension}&since=${since}`);
      section.append(...drawn(usage, dimension, periodDays(since)));
    } catch (error) {
      section.append(notice(error.message, "error"));
    }
  }
}

function drawn(rows, dimension, days) {
  if (!rows.length) return [notice("Nothing used in this period.")];
  const named = (row) => row[dimension] || "(none)";
  const points = (value) => rows.map((row) => ({ day: row.day, series: named(row), value: value(row) }));
  return [
    h("div", { class: "charts" }, h("div", {}, h("h3", {}, "Tokens"), stackedBars(points(tokenCount), tokens, days)), h("div", {}, h("h3", {}, "Estimated cost"), stackedBars(points((row) => row.cost || 0), (value) => money(value), days))),
    totals(rows, named),
  ];
}

function totals(rows, named) {
  const sums = new Map();
  for (const row of rows) {
    const sum = sums.get(named(row)) || { requests: 0, errors: 0, tokens: 0, cost: null };
    sum.requests += row.requests;
    sum.errors += row.errors;
    sum.tokens += tokenCount(row);
    if (row.cost !== null) sum.cost = (sum.cost || 0) + row.cost;
    sums.set(named(row), sum);
  }
  return h(
    "div",
    { class: "scroll" },
    h(
      "table",
      { class: "compact" },
      h("thead", {}, h("tr", {}, ["", "Requests", "Errors", "Tokens", "Cost"].map((name) => h("th", {}, name)))),
      h("tbody", {}, [...sums].map(([name, sum]) => h("tr", {}, h("th", {}, name), h("td", { class: "num" }, sum.requests), h("td", { class: "num" }, sum.errors), h("td", { class: "num" }, tokens(sum.tokens)), h("td", { class: "num" }, money(sum.cost))))),
    ),
  );
}
