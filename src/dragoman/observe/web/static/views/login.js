// The login form: the local key posted once to /ui/login (never in a URL), exchanged
// for an HttpOnly session cookie; a wrong key is said so, and no cookie is set.

import { h } from "../dom.js";

export function mount(main) {
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const key = h("input", { type: "password", name: "key", id: "key", autocomplete: "current-password", required: true });
  const form = h(
    "form",
    { class: "login", onsubmit: (event) => submit(event, key, error) },
    h("h1", {}, "Log in"),
    h("p", {}, "This dragoman asks for one of its local keys (the ones given to ", h("code", {}, "dragoman serve --api-key"), ")."),
    h("label", { for: "key" }, "Local key"),
    key,
    h("button", { type: "submit" }, "Log in"),
    error,
  );
  main.replaceChildren(form);
  key.focus();
}

async function submit(event, key, error) {
  event.preventDefault();
  error.hidden = true;
  const answer = await fetch("/ui/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ key: key.value }),
    credentials: "same-origin",
  });
  if (answer.ok) {
    location.reload();
    return;
  }
  const body = await answer.json().catch(() => null);
  error.textContent = body?.error?.message || `login failed (${answer.status})`;
  error.hidden = false;
  key.select();
}
