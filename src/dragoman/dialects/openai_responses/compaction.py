"""dragoman's own compaction items: a summary sealed as a `compaction` item's opaque
`encrypted_content`, and read again when a client sends it back in later input.

OpenAI's compaction items are encrypted by OpenAI and only its own models read them.
When a model of another upstream compacts a conversation (`server.responses.compaction`),
dragoman writes the summary itself, in an envelope:

    dgc1.<base64url of {"v": 1, "summary": ...}>.<first 16 bytes of its SHA-256, base64url>

The version lets a later dragoman change the format and still read this one; the digest
tells a damaged or hand-edited value (a 400 naming the item) from a good one. It is not
a secret-keyed signature on purpose: the summary is the client's own conversation, and
a client able to forge one could as well send that text as a message.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

import orjson

from dragoman.ir.errors import InvalidRequest

PREFIX = "dgc1."
TRIGGER = "compaction_trigger"
# How the summary reaches a model: as the user's message opening what is left of the
# conversation (Codex's own local compaction hands its summary over the same way).
PREAMBLE = (
    "The conversation so far was compacted. This is a summary of it, written by the "
    "model that worked on it; continue the task from here.\n\n"
)


def seal(summary: str) -> str:
    """The `encrypted_content` carrying `summary`."""
    payload = _b64(orjson.dumps({"v": 1, "summary": summary}))
    return f"{PREFIX}{payload}.{_digest(payload)}"


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX)


def opened(value: str, path: str) -> str:
    """The summary sealed in `value` (one `is_sealed` said is dragoman's);
    InvalidRequest naming `path` when it does not read."""
    payload, _, digest = value[len(PREFIX) :].rpartition(".")
    if not payload or digest != _digest(payload):
        raise InvalidRequest(f"{path}.encrypted_content: a dragoman compaction that was altered or cut")
    try:
        data = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (binascii.Error, ValueError):
        raise InvalidRequest(f"{path}.encrypted_content: a dragoman compaction that does not read") from None
    summary = data.get("summary") if isinstance(data, dict) else None
    if not isinstance(summary, str):
        raise InvalidRequest(f"{path}.encrypted_content: a dragoman compaction without its summary")
    return summary


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _digest(payload: str) -> str:
    return _b64(hashlib.sha256(payload.encode()).digest()[:16])
