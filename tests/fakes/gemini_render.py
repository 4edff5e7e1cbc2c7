"""A Reply as a Gemini GenerateContentResponse, whole or as stream chunks.

Thought parts (`thought: true`) appear only with `thinkingConfig.includeThoughts`. A
thoughtSignature is issued when the Reply has `thinking` or the model is a gemini-3 one
(which always thinks): on the first functionCall part, else on the last text part; in a
stream, a text-only answer gets it on a final part with empty text. Function calls carry
an `id` only when the script gives one, as the public API usually sends none.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from tests.fakes import gemini_images
from tests.fakes.gemini_validate import get
from tests.fakes.script import Reply, split

Part = dict[str, Any]
FINISH = {"end": "STOP", "max_tokens": "MAX_TOKENS", "refusal": "SAFETY"}


def usage(reply: Reply, final: bool = True) -> dict[str, Any]:
    u = reply.usage
    if not final:
        return {"promptTokenCount": u.input, "totalTokenCount": u.input}
    metadata: dict[str, Any] = {
        "promptTokenCount": u.input,
        "candidatesTokenCount": u.output - u.reasoning,
        "totalTokenCount": u.input + u.output,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": u.input}],
    }
    if u.cached:
        metadata["cachedContentTokenCount"] = u.cached
    if u.reasoning:
        metadata["thoughtsTokenCount"] = u.reasoning
    return metadata


class Rendering:
    def __init__(self, body: dict[str, Any], model: str, reply: Reply, issue: Callable[[], str]) -> None:
        self.model = model
        self.reply = reply
        # A refusal draws nothing (finishReason SAFETY).
        self.images = gemini_images.parts(body, model) if reply.stop != "refusal" else []
        self.response_id = secrets.token_urlsafe(16)
        config = get(body, "generationConfig") or {}
        self.show_thoughts = bool(get(get(config, "thinkingConfig") or {}, "includeThoughts"))
        thinks = reply.thinking is not None or model.startswith("gemini-3")
        self.signature = issue() if thinks else None

    def _thoughts(self) -> list[Part]:
        if not (self.show_thoughts and self.reply.thinking):
            return []
        return [{"text": piece, "thought": True} for piece in split(self.reply.thinking, self.reply.chunks)]

    def _calls(self) -> list[Part]:
        parts: list[Part] = []
        for call in self.reply.tool_calls:
            function: dict[str, Any] = {"name": call.name, "args": call.args}
            if call.id is not None:
                function["id"] = call.id
            parts.append({"functionCall": function})
        if parts and self.signature:
            parts[0]["thoughtSignature"] = self.signature
        return parts

    def candidate(self, parts: list[Part], finish: bool) -> dict[str, Any]:
        candidate: dict[str, Any] = {"index": 0}
        if parts:
            candidate["content"] = {"parts": parts, "role": "model"}
        if finish:
            candidate["finishReason"] = FINISH[self.reply.stop]
        return candidate

    def envelope(self, parts: list[Part], finish: bool) -> dict[str, Any]:
        return {
            "candidates": [self.candidate(parts, finish)],
            "usageMetadata": usage(self.reply, final=finish),
            "modelVersion": self.model,
            "responseId": self.response_id,
        }

    def whole(self) -> dict[str, Any]:
        thoughts = [{"text": self.reply.thinking, "thought": True}] if self._thoughts() else []
        text = [{"text": self.reply.text}] if self.reply.text is not None else []
        calls = self._calls()
        if text and not calls and self.signature:
            text[-1]["thoughtSignature"] = self.signature
        return self.envelope([*thoughts, *text, *self.images, *calls], finish=True)

    def chunks(self) -> list[dict[str, Any]]:
        """Stream chunks; the last one holds finishReason and the complete usage."""
        groups: list[list[Part]] = [[part] for part in self._thoughts()]
        if self.reply.text:
            groups.extend([{"text": piece}] for piece in split(self.reply.text, self.reply.chunks))
        groups.extend([image] for image in self.images)
        calls = self._calls()
        if calls:
            groups.append(calls)
        elif self.signature:
            groups.append([{"text": "", "thoughtSignature": self.signature}])
        if not groups:
            groups.append([{"text": ""}] if self.reply.stop != "refusal" else [])
        last = len(groups) - 1
        return [self.envelope(parts, finish=index == last) for index, parts in enumerate(groups)]
