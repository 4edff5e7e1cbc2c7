// Stacked bar charts drawn as inline SVG: one bar per day, one colour per series.
// Small on purpose: the Usage page needs bars, a legend and a tooltip, nothing more.

import { h, notice, s } from "./dom.js";

const PALETTE = ["#3b82f6", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#06b6d4", "#ec4899", "#84cc16"];
const WIDTH = 640;
const HEIGHT = 180;
const GAP = 0.2;

/**
 * points: [{day: "2026-01-02", series: "work", value: 1234}, ...]
 * format: how a value reads (axis and tooltip).
 * period: every day to give a slot, oldest first (days without points stay empty).
 */
export function stackedBars(points, format, period = []) {
  const days = [...new Set([...period, ...points.map((point) => point.day)])].sort();
  const names = [...new Set(points.map((point) => point.series))];
  const colour = (name) => PALETTE[names.indexOf(name) % PALETTE.length];
  const totals = days.map((day) => points.filter((point) => point.day === day).reduce((sum, point) => sum + point.value, 0));
  const peak = Math.max(...totals, 0);
  if (peak === 0) return notice("Nothing to draw: every value is zero or unknown.");
  const top = peak;
  const slot = WIDTH / Math.max(days.length, 1);
  const bars = days.flatMap((day, index) => {
    let base = HEIGHT;
    return points
      .filter((point) => point.day === day && point.value > 0)
      .map((point) => {
        const height = (point.value / top) * (HEIGHT - 4);
        base -= height;
        return s(
          "rect",
          { x: index * slot + (slot * GAP) / 2, y: base, width: slot * (1 - GAP), height, fill: colour(point.series) },
          s("title", {}, `${day} · ${point.series}: ${format(point.value)}`),
        );
      });
  });
  return h(
    "figure",
    { class: "chart" },
    s("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, preserveAspectRatio: "none", role: "img", "aria-label": `peak ${format(top)} a day` }, bars),
    h("div", { class: "axis" }, h("span", {}, days[0] || ""), h("span", {}, `peak ${format(top)}`), h("span", {}, days.at(-1) || "")),
    h("ul", { class: "legend" }, names.map((name) => h("li", {}, h("span", { class: "swatch", style: { background: colour(name) } }), name))),
  );
}
