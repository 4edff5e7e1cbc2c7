"""What every client driver offers: a conversation held in one SDK's own types.

    talk = DRIVERS["anthropic"](sdk, model="gpt-5", stream=True)
    talk.system(SYSTEM); talk.user("Weather?"); talk.tools(TOOLS)
    answer = talk.send()             # the SDK's answer, also appended to the history
    talk.answer_calls(RESULTS)       # tool results for the last answer's calls
    answer = talk.send()

`send` raises the SDK's own exceptions; a stream that fails after it began raises the
dialect's in-stream error (`in_stream_error`). `partial` holds the text the stream had
delivered before that.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from tests.conformance.scenario import Answer, ToolSpec


class StreamFailed(Exception):
    """A stream that ended in an error event the SDK hands over instead of raising."""

    def __init__(self, event: Any) -> None:
        super().__init__(repr(event))
        self.event = event


class Conversation(ABC):
    dialect: ClassVar[str]
    # The SDK's exception classes for an HTTP 429 and 500.
    rate_limited: ClassVar[type[Exception]]
    server_error: ClassVar[type[Exception]]
    # What a stream raises for an error after it began.
    in_stream_error: ClassVar[type[Exception]]

    def __init__(self, sdk: Any, model: str, stream: bool) -> None:
        self.sdk = sdk
        self.model = model
        self.stream = stream
        self.partial = ""
        self.last: Answer | None = None

    @abstractmethod
    def system(self, text: str) -> None: ...

    @abstractmethod
    def user(self, text: str, image: bytes | None = None) -> None: ...

    @abstractmethod
    def tools(self, specs: Sequence[ToolSpec]) -> None: ...

    @abstractmethod
    def think(self) -> None:
        """Ask for reasoning, and for it to be shown, as this dialect can."""

    @abstractmethod
    def send(self) -> Answer: ...

    @abstractmethod
    def answer_calls(self, results: Mapping[str, str]) -> None:
        """Send back one result per call of the last answer; `results` is keyed by tool name."""

    @abstractmethod
    def status(self, error: Exception) -> int:
        """The HTTP status an SDK exception reports."""

    @abstractmethod
    def retry_after(self, error: Exception) -> float | None:
        """The retry delay the client can read from a 429, where its dialect carries one."""

    @abstractmethod
    def stream_error_text(self, error: Exception) -> str:
        """The message of an in-stream error, as the client reads it."""
