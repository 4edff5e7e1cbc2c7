// Models: every id a client can ask for, the accounts serving it (in the order they
// are tried), its limits, and the aliases pointing at it.

import { api } from "../api.js";
import { h, notice } from "../dom.js";
import { tokens } from "../format.js";

export async function mount(main) {
  main.append(h("div", { class: "bar" }, h("h1", {}, "Models")));
  let listing;
  try {
    listing = await api("/v1/admin/models");
  } catch (error) {
    main.append(notice(error.message, "error"));
    return;
  }
  if (!listing.models.length) {
    main.append(notice("No model is served yet: add a provider or log in to an account."));
    return;
  }
  main.append(
    listing.fallback ? h("p", {}, "Unknown model names go to ", h("code", {}, listing.fallback), ".") : null,
    h(
      "div",
      { class: "scroll" },
      h(
        "table",
        { class: "models" },
        h("thead", {}, h("tr", {}, ["Model", "Alias of", "Served by", "Context", "Max output"].map((name) => h("th", {}, name)))),
        h(
          "tbody",
          {},
          listing.models.map((model) =>
            h(
              "tr",
              {},
              h("td", {}, h("code", {}, model.id), model.display_name ? h("div", { class: "muted" }, model.display_name) : null),
              h("td", {}, model.alias_of ? h("code", {}, model.alias_of) : "–"),
              h("td", {}, model.served_by.join(" → ")),
              h("td", { class: "num" }, tokens(model.context_window)),
              h("td", { class: "num" }, tokens(model.max_output_tokens)),
            ),
          ),
        ),
      ),
    ),
  );
}
