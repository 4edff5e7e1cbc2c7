"""How a transport failure is told, whichever pool met it.

The client reads a plain sentence: the provider named, its address without
credentials, what happened ("closed the connection mid-answer"). The library's own
words (exception classes, reprs, errno) go to the log only, redacted, for whoever
has to find out more. Each pool says which of its exceptions mean what (`Kinds`,
most specific first); the operating system's and the ssl module's are shared here.
"""

from __future__ import annotations

import errno
import logging
import socket
import ssl
import zlib
from collections.abc import Iterator, Sequence
from urllib.parse import urlsplit

from dragoman.observe.redact import redact
from dragoman.providers.upstream import Upstream

log = logging.getLogger("dragoman.upstream")

Kinds = Sequence[tuple[type[BaseException], str]]

# Before the answer, after "NAME is unreachable at ADDRESS: ".
REFUSED = "the connection was refused"
NO_HOST = "its host name could not be resolved"
NO_ROUTE = "the network has no route to it"
CERTIFICATE = "its TLS certificate could not be verified"
TLS = "the TLS handshake failed"
CLOSED_EARLY = "it closed the connection before answering"
MALFORMED = "it sent a malformed HTTP answer"
PROXY_REFUSED = "its proxy could not connect to it"
VIA_PROXY = "the connection through its proxy failed"
FAILED = "the connection failed"

# During the answer, after "NAME ".
CUT = "closed the connection mid-answer"
CORRUPT = "sent a corrupt compressed body"

BEFORE: Kinds = (
    (ConnectionRefusedError, REFUSED),
    (socket.gaierror, NO_HOST),
    (ssl.SSLCertVerificationError, CERTIFICATE),
    (ssl.SSLError, TLS),
    (ConnectionResetError, CLOSED_EARLY),
)
DURING: Kinds = ((zlib.error, CORRUPT),)
BY_ERRNO = {errno.ENETUNREACH: NO_ROUTE, errno.EHOSTUNREACH: NO_ROUTE, errno.ECONNREFUSED: REFUSED}


def silent(upstream: Upstream) -> str:
    return f"{upstream.name} stopped sending for {upstream.read_timeout:g} s"


def no_answer(upstream: Upstream, url: str) -> str:
    return f"{upstream.name} did not answer in time ({where(url)})"


def proxy_stalled(upstream: Upstream) -> str:
    return (
        f"{upstream.name} was not reached through its proxy within its connect_timeout of "
        f"{upstream.connect_timeout:g} s (the proxy took the connection and did not go on)"
    )


def over_total(upstream: Upstream) -> str:
    return f"{upstream.name} did not finish within its total_timeout of {upstream.total_timeout:g} s"


def too_large(upstream: Upstream, what: str = "an answer") -> str:
    limit = upstream.max_answer_bytes
    return f"{upstream.name} sent {what} over its limit of {limit:,} bytes (max_answer_bytes)"


def unreachable(upstream: Upstream, url: str, error: BaseException, kinds: Kinds = ()) -> str:
    """No answer came: what kept it away, in words; the detail is logged."""
    return unreachable_as(upstream.name, url, error, kinds, VIA_PROXY if upstream.proxy else FAILED)


def unreachable_as(
    name: str, url: str, error: BaseException, kinds: Kinds = (), otherwise: str = FAILED
) -> str:
    """The same for a service that is not an upstream (a token endpoint, Code Assist)."""
    message = f"{name} is unreachable at {where(url)}: {said(error, (*kinds, *BEFORE), otherwise)}"
    _log(message, error)
    return message


def dropped(upstream: Upstream, error: BaseException, kinds: Kinds = ()) -> str:
    """The answer broke off once it had begun: how, in words; the detail is logged."""
    message = f"{upstream.name} {said(error, (*kinds, *DURING), CUT)}"
    _log(message, error)
    return message


def said(error: BaseException, kinds: Kinds, otherwise: str) -> str:
    """The words for the first kind found anywhere in what `error` wraps."""
    found = list(causes(error))
    for kind, words in kinds:
        if any(isinstance(link, kind) for link in found):
            return words
    for link in found:
        if isinstance(link, OSError) and link.errno in BY_ERRNO:
            return BY_ERRNO[link.errno]
    return otherwise


def causes(error: BaseException) -> Iterator[BaseException]:
    """`error` and every exception it wraps (cause, context, arguments), each once.
    Libraries wrap differently: aiohttp puts the OS error in its arguments, httpx
    chains its own, httpcore's and h11's."""
    seen: set[int] = set()
    todo = [error]
    while todo:
        link = todo.pop(0)
        if id(link) in seen:
            continue
        seen.add(id(link))
        yield link
        todo += [e for e in (link.__cause__, link.__context__, *link.args) if isinstance(e, BaseException)]


def detail(error: BaseException) -> str:
    return "; ".join(f"{type(link).__module__}.{type(link).__qualname__}: {link}" for link in causes(error))


def where(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def _log(message: str, error: BaseException) -> None:
    log.warning("%s (%s)", message, redact(detail(error)))
