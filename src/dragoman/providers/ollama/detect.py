"""Is an Ollama server running? One quick look at its native `GET /api/tags`, which
also says what it serves. Other servers on the port do not answer that shape."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
import orjson

from dragoman.ir.models import ModelInfo

log = logging.getLogger("dragoman.providers.ollama")

# Detection runs before the gateway starts: it may never hold start up for longer.
PROBE_SECONDS = 0.3


def api_base(ollama_url: str) -> str:
    """The OpenAI-compatible base URL of the Ollama server at `ollama_url`."""
    return ollama_url.rstrip("/").removesuffix("/v1") + "/v1"


async def probe(ollama_url: str, timeout: float = PROBE_SECONDS) -> list[ModelInfo] | None:
    """The models of the Ollama server at `ollama_url`, or None when none answers."""
    url = ollama_url.rstrip("/").removesuffix("/v1") + "/api/tags"
    try:
        # No proxy from the environment (aiohttp's default): Ollama is looked for where it was said to be.
        async with (
            asyncio.timeout(timeout),
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session,
            session.get(url, raise_for_status=True) as response,
        ):
            body = await response.read()
        return parse_tags(orjson.loads(body))
    except (TimeoutError, aiohttp.ClientError, ValueError) as error:
        log.debug("no Ollama at %s (%s)", url, type(error).__name__)
        return None


def parse_tags(body: Any) -> list[ModelInfo]:
    """The models of an `/api/tags` answer. ValueError if it is not one."""
    models = body.get("models") if isinstance(body, dict) else None
    if not isinstance(models, list):
        raise ValueError("not an Ollama tag list: no `models` array")
    return [ModelInfo(name) for name in map(_name, models) if name]


def _name(entry: Any) -> str | None:
    if not isinstance(entry, dict):
        return None
    name = entry.get("model") or entry.get("name")
    return name if isinstance(name, str) and name.strip() else None
