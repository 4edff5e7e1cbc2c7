"""The Message Batches API's shapes: ids, the create body checked as Anthropic checks
it, and a batch drawn as the API draws it (RFC 3339 times, `request_counts`)."""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dragoman import dialects
from dragoman.ir.errors import GatewayError, InvalidRequest

ID_PREFIX = "msgbatch_"
# Anthropic's limits: requests per batch, and what a custom_id may be.
MAX_REQUESTS = 100_000
CUSTOM_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
EXPIRES_SECONDS = 24 * 3600
STATES = ("succeeded", "errored", "canceled", "expired")
_ALPHABET = string.ascii_letters + string.digits


def new_id() -> str:
    """An id in Anthropic's form: `msgbatch_01` and 22 base-62 characters."""
    return ID_PREFIX + "01" + "".join(secrets.choice(_ALPHABET) for _ in range(22))


@dataclass(frozen=True, slots=True)
class Batch:
    """A batch as stored, with its requests counted by state."""

    id: str
    key: str
    created_at: float
    expires_at: float
    cancel_initiated_at: float | None
    ended_at: float | None
    counts: Mapping[str, int]

    @property
    def status(self) -> str:
        if self.ended_at is not None:
            return "ended"
        return "canceling" if self.cancel_initiated_at is not None else "in_progress"

    def shown(self, base_url: str) -> dict[str, Any]:
        """The MessageBatch object; `base_url` the root its results are fetched from."""
        ended = self.ended_at is not None
        return {
            "id": self.id,
            "type": "message_batch",
            "processing_status": self.status,
            "request_counts": request_counts(self.counts),
            "created_at": rfc3339(self.created_at),
            "expires_at": rfc3339(self.expires_at),
            "ended_at": rfc3339(self.ended_at),
            "cancel_initiated_at": rfc3339(self.cancel_initiated_at),
            "archived_at": None,
            "results_url": f"{base_url.rstrip('/')}/v1/messages/batches/{self.id}/results" if ended else None,
        }


def request_counts(counts: Mapping[str, int]) -> dict[str, int]:
    processing = counts.get("queued", 0) + counts.get("running", 0)
    return {"processing": processing, **{state: counts.get(state, 0) for state in STATES}}


def rfc3339(moment: float | None) -> str | None:
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def checked_requests(body: Any) -> list[tuple[str, dict[str, Any]]]:
    """The (custom_id, params) of a create body; InvalidRequest naming the first fault."""
    requests = body.get("requests") if isinstance(body, dict) else None
    if not isinstance(requests, list) or not requests:
        raise InvalidRequest("requests: a non-empty list of {custom_id, params} is required")
    if len(requests) > MAX_REQUESTS:
        raise InvalidRequest(f"requests: at most {MAX_REQUESTS} requests per batch ({len(requests)} given)")
    seen: set[str] = set()
    checked = []
    for index, item in enumerate(requests):
        custom_id, params = _checked_request(index, item)
        if custom_id in seen:
            raise InvalidRequest(f"requests.{index}.custom_id: {custom_id!r} is used twice; each is unique")
        seen.add(custom_id)
        checked.append((custom_id, params))
    return checked


def _checked_request(index: int, item: Any) -> tuple[str, dict[str, Any]]:
    where = f"requests.{index}"
    if not isinstance(item, dict):
        raise InvalidRequest(f"{where}: an object with custom_id and params is required")
    custom_id, params = item.get("custom_id"), item.get("params")
    if not isinstance(custom_id, str) or not CUSTOM_ID.fullmatch(custom_id):
        raise InvalidRequest(f"{where}.custom_id: 1 to 64 letters, digits, '_' or '-' are required")
    if not isinstance(params, dict):
        raise InvalidRequest(f"{where}.params: an object (a Messages request) is required")
    if params.get("stream"):
        raise InvalidRequest(f"{where}.params.stream: batch requests cannot be streamed")
    try:
        dialects.get("anthropic").request.parse(params)
    except GatewayError as error:
        raise InvalidRequest(f"{where}.params: {error.message}") from None
    return custom_id, params


def errored(message: str, kind: str = "api_error") -> dict[str, Any]:
    """An errored result whose error dragoman itself gives (not an upstream's)."""
    return {"type": "errored", "error": {"type": "error", "error": {"type": kind, "message": message}}}
