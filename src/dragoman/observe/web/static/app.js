// The page's router: the path after /ui/ names the view (live, requests/ID, accounts,
// usage, models, keys), each a module with mount(main, args) that may return {stop()}.
// Before any view, /ui/session says whether a login is needed and gives the CSRF token.

import { api, ApiError, useCsrf } from "./api.js";
import { notice } from "./dom.js";

const VIEWS = {
  live: () => import("./views/live.js"),
  requests: () => import("./views/request.js"),
  accounts: () => import("./views/accounts.js"),
  usage: () => import("./views/usage.js"),
  models: () => import("./views/models.js"),
  keys: () => import("./views/keys.js"),
};

const main = document.getElementById("main");
let current = null;

async function start() {
  try {
    const session = await api("/ui/session");
    useCsrf(session.csrf);
    document.getElementById("logout").hidden = session.auth !== "cookie";
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return showLogin();
    main.replaceChildren(notice(error.message, "error"));
    return;
  }
  document.addEventListener("click", follow);
  document.getElementById("logout").addEventListener("click", logout);
  window.addEventListener("popstate", route);
  route();
}

async function showLogin() {
  document.getElementById("nav").hidden = true;
  const login = await import("./views/login.js");
  login.mount(main);
}

async function logout() {
  await api("/ui/logout", { method: "POST" }).catch(() => null);
  location.assign("/ui");
}

/** A click on a link within the dashboard changes the view without reloading. */
function follow(event) {
  const link = event.target.closest("a");
  if (!link || link.origin !== location.origin || !link.pathname.startsWith("/ui")) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || link.target) return;
  event.preventDefault();
  history.pushState(null, "", link.pathname + link.search);
  route();
}

async function route() {
  const [name, ...args] = location.pathname.replace(/^\/ui\/?/, "").split("/").filter(Boolean);
  const view = VIEWS[name] ? name : "live";
  if (current?.stop) current.stop();
  current = null;
  for (const link of document.querySelectorAll("#nav a")) {
    link.classList.toggle("active", link.dataset.view === (view === "requests" ? "live" : view));
  }
  main.replaceChildren(notice("Loading…"));
  const module = await VIEWS[view]();
  main.replaceChildren();
  current = (await module.mount(main, args.map(decodeURIComponent), new URLSearchParams(location.search))) || null;
}

start();
