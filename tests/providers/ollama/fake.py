"""A fake Ollama on loopback: its native tag list, its OpenAI-compatible model list and
chat completions (answering "OK from <model>"), and a record of the paths it was asked."""

from __future__ import annotations

import time
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.server import FakeServer


class FakeOllama:
    def __init__(self, models: list[str] | None = None) -> None:
        self.models = list(models or ["llama3.2:latest", "qwen3:8b"])
        self.paths: list[str] = []
        self.app = Starlette(
            routes=[
                Route("/api/tags", self._tags),
                Route("/v1/models", self._models),
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
            ]
        )
        self._server = FakeServer(self.app)

    @property
    def url(self) -> str:
        return self._server.url

    def __enter__(self) -> FakeOllama:
        self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stop()

    async def _tags(self, request: Request) -> JSONResponse:
        self.paths.append(request.url.path)
        details = {"format": "gguf", "family": "llama", "parameter_size": "3.2B"}
        return JSONResponse(
            {"models": [{"name": m, "model": m, "size": 1, "details": details} for m in self.models]}
        )

    async def _models(self, request: Request) -> JSONResponse:
        self.paths.append(request.url.path)
        data = [{"id": m, "object": "model", "created": 1, "owned_by": "library"} for m in self.models]
        return JSONResponse({"object": "list", "data": data})

    async def _chat(self, request: Request) -> JSONResponse:
        self.paths.append(request.url.path)
        body: dict[str, Any] = await request.json()
        if body.get("model") not in self.models:
            return JSONResponse(
                {"error": {"message": f"model {body.get('model')!r} not found"}}, status_code=404
            )
        return JSONResponse(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": f"OK from {body['model']}"},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 3, "completion_tokens": 3, "total_tokens": 6},
            }
        )
