"""The one error tree. Every failure a client can see is one of these.

    GatewayError                      500 internal_error
    ├── InvalidRequest                400 invalid_request
    │   ├── ContextTooLong            400 context_length_exceeded
    │   └── MalformedJSON             400 malformed_json
    ├── AuthenticationFailed          401 authentication_failed
    ├── PermissionDenied              403 permission_denied
    │   └── OverBudget                403 budget_exceeded     (a local key's budget)
    ├── NotFound                      404 not_found
    │   └── ModelNotFound             404 model_not_found
    ├── MethodNotAllowed              405 method_not_allowed  (allow)
    ├── RequestTimeout                408 request_timeout     (a client too slow to send it)
    ├── RequestTooLarge               413 request_too_large
    ├── RequestHeadersTooLarge        431 request_headers_too_large
    ├── RateLimited                   429 rate_limited        (retry_after)
    ├── Unavailable                   503 unavailable         (dragoman cannot serve now)
    └── UpstreamError                 502 upstream_error      (the upstream failed us)
        ├── UpstreamUnreachable       502 upstream_unreachable
        ├── UpstreamTimeout           504 upstream_timeout
        ├── UpstreamOverloaded        529 overloaded
        └── UpstreamRejected          the upstream's own status (an error answer it gave)

Each dialect's `error.render` draws one as that dialect's error body, choosing the
error type from `status`; each `error.parse` turns an upstream's error body back
into one. Messages are written for the person reading them in their tool and never
contain a secret: every message is masked (`observe.redact`) as it is set, so an
upstream's error text quoting its key is clean wherever it goes next (an HTTP error,
an in-stream error event in any dialect, a log line). This is the one place error
texts are masked, and the one import from outside `ir` (redact is pure text work).
"""

from __future__ import annotations

from typing import ClassVar

from dragoman.observe.redact import redact


class GatewayError(Exception):
    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        param: str | None = None,
        status: int | None = None,
    ) -> None:
        self.message = message
        super().__init__(self.message)
        self.retry_after = retry_after
        self.param = param
        if status is not None:
            # Instance override, for errors that carry an upstream's status.
            self.status = status  # type: ignore[misc]

    @property
    def message(self) -> str:
        return self._message

    @message.setter
    def message(self, text: str) -> None:
        self._message = redact(text)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.status}, {self.message!r})"


class InvalidRequest(GatewayError):
    status = 400
    code = "invalid_request"


class ContextTooLong(InvalidRequest):
    """A request longer than the context window of its model and of every model it
    could fall back to."""

    code = "context_length_exceeded"


class MalformedJSON(InvalidRequest):
    code = "malformed_json"


class AuthenticationFailed(GatewayError):
    status = 401
    code = "authentication_failed"


class PermissionDenied(GatewayError):
    status = 403
    code = "permission_denied"


class OverBudget(PermissionDenied):
    """A local key's budget or quota (cost, tokens, requests per period) is spent: the
    message says which, and when it resets."""

    code = "budget_exceeded"


class NotFound(GatewayError):
    status = 404
    code = "not_found"


class ModelNotFound(NotFound):
    code = "model_not_found"


class MethodNotAllowed(GatewayError):
    """An endpoint asked with a method it does not take; `allow` are those it does."""

    status = 405
    code = "method_not_allowed"

    def __init__(self, message: str, *, allow: tuple[str, ...]) -> None:
        super().__init__(message)
        self.allow = allow


class RequestTimeout(GatewayError):
    """The client did not send its request (headers, or the rest of its body) in time."""

    status = 408
    code = "request_timeout"


class RequestTooLarge(GatewayError):
    status = 413
    code = "request_too_large"


class RequestHeadersTooLarge(GatewayError):
    status = 431
    code = "request_headers_too_large"


class RateLimited(GatewayError):
    status = 429
    code = "rate_limited"


class Unavailable(GatewayError):
    """Dragoman itself cannot serve the request now (not an upstream's fault): e.g. the
    usage ledger cannot be written and `[limits] fail_closed` refuses spend it cannot record."""

    status = 503
    code = "unavailable"


class UpstreamError(GatewayError):
    status = 502
    code = "upstream_error"


class UpstreamUnreachable(UpstreamError):
    code = "upstream_unreachable"


class UpstreamTimeout(UpstreamError):
    status = 504
    code = "upstream_timeout"


class UpstreamOverloaded(UpstreamError):
    status = 529
    code = "overloaded"


class UpstreamRejected(UpstreamError):
    """An error answer from the upstream, kept at the upstream's status."""

    code = "upstream_rejected"


def from_status(status: int, message: str, *, retry_after: float | None = None) -> GatewayError:
    """The error class an HTTP status means, for parsers of upstream error bodies."""
    if status == 429:
        return RateLimited(message, retry_after=retry_after)
    if status == 529:
        return UpstreamOverloaded(message, retry_after=retry_after)
    if status == 413:
        return RequestTooLarge(message)
    return UpstreamRejected(message, status=status, retry_after=retry_after)
