"""`POST /v1/images/generations` drawn by a Responses backend's hosted `image_generation`
tool (Codex's image tool, on a ChatGPT login: `ProviderSpec.image_tool`): the model the
client names is asked, through the ordinary relay (pools, limits, traces; billed as the
generation it is), to draw the prompt with only that tool offered and a tool call
required, and the `image_generation_call` it answers becomes OpenAI's images answer.

The tool takes the images API's drawing settings (size, quality, background, output
format and compression, moderation) as its own; it draws one image a call, so `n` above
1 and an image by URL are a 400.
"""

from __future__ import annotations

import time
from functools import partial
from typing import Any

import orjson
from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse, Response

from dragoman import dialects
from dragoman.ir.errors import UpstreamError
from dragoman.ir.messages import Message, Text
from dragoman.ir.request import Request
from dragoman.ir.tools import Tool, ToolChoice
from dragoman.server import local_auth
from dragoman.server.exchange import exchange_of
from dragoman.server.gateway import Gateway
from dragoman.server.image_fields import check_one_inline
from dragoman.server.relay import relay

RESPONSES = "openai_responses"
TOOL = "image_generation"
# The images API's fields the hosted tool takes as its own settings.
SETTINGS = ("size", "quality", "background", "output_format", "output_compression", "moderation")
TAKEN = frozenset({"model", "prompt", "n", "response_format", "user", *SETTINGS})


async def generate(http: HttpRequest, gateway: Gateway, body: dict[str, Any]) -> Response:
    """The images answer to `body`, drawn by its model's image tool; an error answer as is."""
    request = drawing_request(body)
    exchange = exchange_of(http.scope)
    key = partial(local_auth.key_name, http)
    client = dialects.get(RESPONSES)
    response = await relay(gateway, client, request, exchange, http.headers, http.receive, None, key)
    if response.status_code >= 400:
        return response  # OpenAI's error envelope, which the images API shares
    return JSONResponse(images_answer(orjson.loads(bytes(response.body)), request.model))


def drawing_request(body: dict[str, Any]) -> Request:
    """The Responses request that has the model draw `body`'s prompt; InvalidRequest if
    it asks what the tool cannot do."""
    who = "the image_generation tool"
    check_one_inline(
        body, TAKEN, takes=f"{who} takes", one=f"{who} draws one image", answers=f"{who} answers"
    )
    prompt = str(body["prompt"])
    raw = {"type": TOOL, **{name: body[name] for name in SETTINGS if name in body}}
    return Request(
        model=str(body["model"]),
        messages=[Message("user", [Text(prompt)])],
        tools=[Tool(name=TOOL, type="native", raw=raw, dialect=RESPONSES)],
        tool_choice=ToolChoice("required"),
        source=RESPONSES,
        extras={"store": False},
    )


def images_answer(answer: dict[str, Any], model: str) -> dict[str, Any]:
    """OpenAI's images answer from the Responses answer; an error if it drew nothing."""
    output = [item for item in answer.get("output") or [] if isinstance(item, dict)]
    drawn = [item for item in output if item.get("type") == "image_generation_call" and item.get("result")]
    if not drawn:
        said = " ".join(
            part.get("text", "")
            for item in output
            if item.get("type") == "message"
            for part in item.get("content") or []
        ).strip()
        raise UpstreamError(f"{model} drew no image" + (f": {said}" if said else ""))
    usage = answer.get("usage") or {}
    return {
        "created": int(time.time()),
        "data": [{"b64_json": item["result"]} for item in drawn],
        "output_format": drawn[0].get("output_format") or "png",
        "usage": {name: usage.get(name, 0) for name in ("input_tokens", "output_tokens", "total_tokens")},
    }
