"""The scenarios: what a client sends, where, and what its answer must contain.

The fake upstream answers by path, so `direct` and the floor (which forwards path and
body unchanged) are sent to the upstream's path: they relay the very bytes dragoman
reads from the upstream, and only dragoman translates them.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench import bodies

# The key every client sends: LiteLLM refuses to start without a master key (this one);
# dragoman and the floor, configured with none, accept any.
KEY = "sk-dragoman-bench-5b0e7c1d9a2f4e38"
ANTHROPIC_HEADERS = ("anthropic-version: 2023-06-01", f"x-api-key: {KEY}")
OPENAI_HEADERS = (f"Authorization: Bearer {KEY}",)
# What a complete answer ends with, by the dialect that wrote it.
TERMINAL = {
    "chat": b"[DONE]",
    "anthropic": b"message_stop",
    "responses": b"response.completed",
}


@dataclass(frozen=True, slots=True)
class Scenario:
    key: str
    title: str
    client_path: str
    upstream_path: str
    client: str  # dialect the client speaks (chat | anthropic | responses)
    upstream: str  # dialect the upstream speaks
    body: bytes
    stream: bool

    @property
    def translated(self) -> bool:
        return self.client != self.upstream

    @property
    def headers(self) -> tuple[str, ...]:
        return ANTHROPIC_HEADERS if self.client == "anthropic" else OPENAI_HEADERS

    def complete(self, answer: bytes, translated_by_target: bool) -> bool:
        """Whether `answer` is whole: every word, and the stream's terminal event."""
        if bodies.LAST_WORD not in answer or bodies.WORDS[0].encode() not in answer:
            return False
        dialect = self.client if translated_by_target else self.upstream
        return not self.stream or TERMINAL[dialect] in answer


CHAT = "/v1/chat/completions"
MESSAGES = "/v1/messages"
RESPONSES = "/v1/responses"

SCENARIOS = [
    Scenario(
        "chat",
        "Chat -> Chat, passed through",
        CHAT,
        CHAT,
        "chat",
        "chat",
        bodies.chat_request(bodies.MODELS["chat"], stream=False),
        stream=False,
    ),
    Scenario(
        "chat-stream",
        "Chat -> Chat, streamed 20 chunks",
        CHAT,
        CHAT,
        "chat",
        "chat",
        bodies.chat_request(bodies.MODELS["chat"], stream=True),
        stream=True,
    ),
    Scenario(
        "chat-anthropic",
        "Chat -> Anthropic, translated",
        CHAT,
        MESSAGES,
        "chat",
        "anthropic",
        bodies.chat_request(bodies.MODELS["anthropic"], stream=False),
        stream=False,
    ),
    Scenario(
        "anthropic-responses",
        "Anthropic -> Responses, streamed",
        MESSAGES,
        RESPONSES,
        "anthropic",
        "responses",
        bodies.anthropic_request(bodies.MODELS["responses"], stream=True),
        stream=True,
    ),
    Scenario(
        "claude-code",
        "Claude Code 88 KB -> Responses",
        MESSAGES,
        RESPONSES,
        "anthropic",
        "responses",
        bodies.claude_code_request(bodies.MODELS["responses"]),
        stream=True,
    ),
]
