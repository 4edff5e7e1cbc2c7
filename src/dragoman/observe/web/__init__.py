"""The dashboard at `/ui`: one HTML page and plain ES modules, shipped in the package
(`static/`), with no framework, no build step and nothing from another origin.

The page is a thin client of the JSON routes (`/v1/admin/...`, `/v1/traces...`,
`/v1/usage`, `/v1/models`): it has no data path of its own. `routes.py` serves it and
the login that exchanges the local key for a session cookie (`server.ui_session`).

    static/index.html        the page: navigation and an empty main
    static/app.js            the router (History API) and the session check
    static/api.js            fetch with the CSRF token; errors as exceptions
    static/dom.js            elements built with textContent (never innerHTML)
    static/format.js         times, durations, tokens, money, countdowns
    static/chart.js          small SVG bar charts
    static/views/*.js        one module per page: live, request, accounts, usage, models, login
"""
