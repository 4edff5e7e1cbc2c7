"""What may follow a provider's base URL: a path that stays under it, and model ids
that are plain path text.

Every upstream URL is `join(base_url, path)` (`Upstream.url`, and the pass-through's
URL rule). Both HTTP clients resolve dot segments before sending (`/base/v1/../../x`
goes out as `/x`), servers decode `%2e`, some decode twice, and some read `\\` as
`/`: a path with a dot segment in any of these spellings could reach another
endpoint of the provider's host with the provider's key, so it is refused with 400
before any request is made. A model id that goes into a URL (Gemini's
`/models/{model}:generateContent`) must moreover be plain text: no `?` or `#` to
start a query or fragment of its own, no percent-escapes, no blanks.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from dragoman.ir.errors import InvalidRequest

# A `.` or `..` segment, with `/` or `\` as separators.
_DOT_SEGMENT = re.compile(r"(?:^|[/\\])\.{1,2}(?:[/\\]|$)")
# Beyond these, a decoded path has nothing left to undo.
_MAX_DECODES = 4
_NOT_IN_MODEL = re.compile(r"[?#%\\\s\x00-\x1f\x7f]")


def join(base_url: str, path: str) -> str:
    """`base_url + path` (`path` may carry a query); InvalidRequest when a segment of
    the path, in any spelling, is `.` or `..`, or it has a fragment."""
    route = path.partition("?")[0]
    if "#" in route or (_may_hide_dots(route) and _DOT_SEGMENT.search(_decoded(route))):
        raise InvalidRequest(f"the path {path!r} would lead outside the provider's base path; it is not sent")
    return base_url + path


def path_safe_model(model: str) -> str:
    """`model` when it can be written into a URL path as it is; else InvalidRequest."""
    if not model or _NOT_IN_MODEL.search(model) or _DOT_SEGMENT.search(model):
        raise InvalidRequest(
            f"the model id {model!r} cannot be sent to this upstream: it goes into the URL path, "
            "so it may not contain ?, #, %, \\, blanks, or . and .. segments",
            param="model",
        )
    return model


def _may_hide_dots(route: str) -> bool:
    """Whether `route` could hold a dot segment: a dot, or an escape that may decode to
    one. Most paths hold neither (`/chat/completions`), and need no decoding or scan."""
    return "." in route or "%" in route


def _decoded(path: str) -> str:
    """`path` percent-decoded until nothing changes (`%252e` is `%2e` is `.`)."""
    for _ in range(_MAX_DECODES):
        decoded = unquote(path)
        if decoded == path:
            break
        path = decoded
    return path
