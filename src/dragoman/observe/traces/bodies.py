"""The bodies a trace keeps when `trace_bodies` asks for them: the client's request,
and per account tried the request dragoman sent and what the upstream answered.

Capturing is cheap (references to bytes already in hand, each capped as it grows);
the work (decoding, capping, masking secrets with `observe.redact`) happens once, as
the trace is built, and only for a trace that keeps them (`errors`: a failed request).
"""

from __future__ import annotations

from typing import Any

from dragoman.observe.redact import redact

TRUNCATED = "\n[... truncated by dragoman: {size:,} bytes in all]"


class Bodies:
    __slots__ = ("client", "limit", "mode", "upstream")

    def __init__(self, mode: str, limit: int) -> None:
        self.mode = mode  # "errors" or "all"
        self.limit = limit
        self.client: bytes | None = None
        # [request sent, [answer chunks], answer size] per account tried.
        self.upstream: list[list[Any]] = []

    def sent(self, content: bytes) -> None:
        self.upstream.append([content, [], 0])

    def answered(self, chunk: bytes) -> None:
        """A piece of the last account's answer; past the cap only its size is counted."""
        if not self.upstream:
            return
        entry = self.upstream[-1]
        if entry[2] < self.limit:
            entry[1].append(chunk)
        entry[2] += len(chunk)

    def kept(self, failed: bool) -> dict[str, Any] | None:
        """The bodies as the trace shows them (text, capped, secrets masked), or None
        when this trace keeps none."""
        if self.mode == "errors" and not failed:
            return None
        return {
            "client_request": self._text(self.client or b"", len(self.client or b"")),
            "upstream": [
                {"request": self._text(sent, len(sent)), "answer": self._text(b"".join(chunks), size)}
                for sent, chunks, size in self.upstream
            ],
        }

    def _text(self, body: bytes, size: int) -> str:
        text = body[: self.limit].decode("utf-8", "replace")
        if size > self.limit:
            text += TRUNCATED.format(size=size)
        return redact(text)
