"""How a transport failure is told, whichever pool met it: the provider named, its
address without credentials, the limit that was hit."""

from __future__ import annotations

from urllib.parse import urlsplit

from dragoman.providers.upstream import Upstream


def silent(upstream: Upstream) -> str:
    return f"{upstream.name} stopped sending for {upstream.read_timeout:g} s"


def no_answer(upstream: Upstream, url: str) -> str:
    return f"{upstream.name} did not answer in time ({where(url)})"


def over_total(upstream: Upstream) -> str:
    return f"{upstream.name} did not finish within its total_timeout of {upstream.total_timeout:g} s"


def unreachable(upstream: Upstream, url: str, error: BaseException) -> str:
    return f"{upstream.name} is unreachable at {where(url)}: {reason(error)}"


def dropped(upstream: Upstream, error: BaseException) -> str:
    return f"{upstream.name} dropped the connection: {reason(error)}"


def where(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def reason(error: BaseException) -> str:
    return str(error) or type(error).__name__
