// How numbers and times read on every page.

export function clock(epoch) {
  return new Date(epoch * 1000).toLocaleTimeString([], { hour12: false });
}

export function dateTime(epoch) {
  return new Date(epoch * 1000).toLocaleString([], { hour12: false });
}

export function ms(value) {
  if (value === null || value === undefined) return "–";
  return value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(2)} s`;
}

export function tokens(count) {
  if (count === null || count === undefined) return "–";
  if (count >= 1e6) return `${(count / 1e6).toFixed(1)}M`;
  if (count >= 1e4) return `${(count / 1e3).toFixed(1)}k`;
  return String(count);
}

/** US dollars; "~" marks an estimate (a subscription account's real price is its plan). */
export function money(value, estimate = false) {
  if (value === null || value === undefined) return "–";
  const shown = value === 0 ? "0" : value < 0.01 ? value.toFixed(4) : value.toFixed(2);
  return `${estimate ? "~" : ""}$${shown}`;
}

/** Time left until an epoch moment: "2h 05m", "4m 09s", "12s", "now". */
export function countdown(until, now = Date.now() / 1000) {
  const left = Math.round(until - now);
  if (left <= 0) return "now";
  const [hours, minutes, seconds] = [Math.floor(left / 3600), Math.floor((left % 3600) / 60), left % 60];
  const two = (n) => String(n).padStart(2, "0");
  if (hours >= 24) return `${Math.floor(hours / 24)}d ${hours % 24}h`;
  if (hours) return `${hours}h ${two(minutes)}m`;
  return minutes ? `${minutes}m ${two(seconds)}s` : `${seconds}s`;
}

export function statusClass(status) {
  if (status >= 500) return "bad";
  if (status >= 400) return "warn";
  return "good";
}
