"""What every fake upstream shares: the script queue, the request record, signatures, serving.

A dialect fake subclasses `Fake` and supplies its routes, its auth check and its error
envelope. A request goes: record -> auth -> JSON decode -> validate -> take the next
scripted Reply -> scripted failure, or the answer rendered in the dialect's wire format.
"""

from __future__ import annotations

import base64
import secrets
import threading
from collections import deque
from collections.abc import Callable
from types import TracebackType
from typing import Any, ClassVar

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from tests.fakes.respond import Frames, json_answer
from tests.fakes.script import DEFAULT_REPLY, Failure, RecordedRequest, Reply, filled
from tests.fakes.server import FakeServer
from tests.secret_scan.registry import register

Validator = Callable[[Any, RecordedRequest], None]
Answerer = Callable[[Any, RecordedRequest, Reply], Frames]


class Rejected(Exception):
    """A request the provider would refuse; rendered in the fake's error envelope."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        kind: str | None = None,
        reason: str | None = None,
        param: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.kind = kind
        self.reason = reason
        self.param = param
        self.retry_after = retry_after


def words(text: str) -> frozenset[str]:
    """A vocabulary (field names, block types) written as one whitespace-separated string."""
    return frozenset(text.split())


def new_token(size: int = 32) -> str:
    return secrets.token_urlsafe(size)


def new_id(prefix: str, size: int = 24) -> str:
    return prefix + secrets.token_hex(size // 2)


class Fake:
    """A fake upstream: script it, start it, point a client at `url` / `base_url`."""

    dialect: ClassVar[str]
    api_prefix: ClassVar[str] = "/v1"
    default_key: ClassVar[str]
    default_models: ClassVar[tuple[str, ...]]
    bad_json_message: ClassVar[str] = "invalid JSON body"
    retry_after_header: ClassVar[bool] = True

    def __init__(self, key: str | None = None, models: list[str] | None = None) -> None:
        self.key = key or self.default_key
        self.models = list(models or self.default_models)
        self._configured = (self.key, list(self.models))
        self.requests: list[RecordedRequest] = []
        # The streamed answers given, in order: each tells how far it got (`Frames`).
        self.streams: list[Frames] = []
        # The whole (JSON) answers given, in order, likewise.
        self.whole_answers: list[Frames] = []
        self.signatures: set[str] = set()
        self.count_tokens_result: int | None = None
        # The context window of every model served, in the fake's tokens (`token_count`):
        # a longer request gets the provider's own "too long" error (`too_long`). None: any.
        self.context_window: int | None = None
        # Generation requests being answered now, and the most there were at once.
        self.at_once = 0
        self.most_at_once = 0
        self._queue: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._server: FakeServer | None = None
        self.app = Starlette(routes=[*self.routes(), *self._control_routes()])

    # -- scripting -------------------------------------------------------------------------

    @property
    def key(self) -> str:
        """The API key this fake accepts (a secret: the leak scan knows it)."""
        return self._key

    @key.setter
    def key(self, value: str) -> None:
        register(value, f"the {self.dialect} fake's key")
        self._key = value

    def script(self, *replies: Reply) -> Fake:
        """Queue answers; each generation request consumes the next one."""
        with self._lock:
            self._queue.extend(replies)
        return self

    def reset(self) -> None:
        """Forget queued replies, recorded requests and issued signatures; restore the key,
        models and settings a test may have changed (the fixtures share one fake per session)."""
        with self._lock:
            self._queue.clear()
        self.requests.clear()
        self.streams.clear()
        self.whole_answers.clear()
        self.signatures.clear()
        self.count_tokens_result = None
        self.context_window = None
        self.at_once = self.most_at_once = 0
        self.key, models = self._configured
        self.models = list(models)

    @property
    def pending(self) -> int:
        return len(self._queue)

    @property
    def last(self) -> RecordedRequest:
        """The last request received; fails the test if there was none."""
        if not self.requests:
            raise AssertionError(f"the {self.dialect} fake received no request")
        return self.requests[-1]

    @property
    def last_json(self) -> Any:
        return self.last.json

    def next_reply(self) -> Reply:
        with self._lock:
            return self._queue.popleft() if self._queue else DEFAULT_REPLY

    def issue_signature(self) -> str:
        """A fresh opaque reasoning token, remembered so a replay can be checked."""
        # Standard base64, as the providers' own signatures: the genai SDK decodes and re-encodes it.
        token = base64.b64encode(secrets.token_bytes(48)).decode()
        self.signatures.add(token)
        return token

    def trust(self, *signatures: str) -> None:
        """Accept signatures this fake did not mint (e.g. those inside captured requests)."""
        self.signatures.update(signatures)

    # -- serving ---------------------------------------------------------------------------

    def start(self, port: int = 0) -> Fake:
        self._server = FakeServer(self.app, port).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    @property
    def url(self) -> str:
        """Server root, e.g. `http://127.0.0.1:5123` (what the Anthropic / genai SDKs take)."""
        if self._server is None:
            raise RuntimeError(f"the {self.dialect} fake is not running")
        return self._server.url

    @property
    def base_url(self) -> str:
        """The provider's API base, e.g. `.../v1` (OpenAI SDK, dragoman provider base URLs)."""
        return self.url + self.api_prefix

    def __enter__(self) -> Fake:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- hooks for dialects ----------------------------------------------------------------

    def routes(self) -> list[Route]:
        raise NotImplementedError

    def check_auth(self, record: RecordedRequest) -> None:
        """Raise Rejected (401 or the provider's own status) unless the key is right."""
        raise NotImplementedError

    def error_body(self, error: Rejected) -> dict[str, Any]:
        raise NotImplementedError

    def kind_for(self, status: int) -> str | None:
        return None

    def too_long(self, tokens: int, window: int) -> Rejected:
        """The provider's refusal of a prompt longer than the model's context window."""
        raise NotImplementedError

    def check_length(self, body: Any) -> None:
        if self.context_window is not None:
            tokens = self.token_count(body)
            if tokens > self.context_window:
                raise self.too_long(tokens, self.context_window)

    def response_headers(self) -> dict[str, str]:
        return {}

    def max_output(self, body: Any) -> int | None:
        """The most output tokens the request lets an answer have (None: it does not say)."""
        return None

    def is_stream(self, body: Any, record: RecordedRequest) -> bool:
        return isinstance(body, dict) and body.get("stream") is True

    # -- request flow ----------------------------------------------------------------------

    async def record(self, request: Request) -> RecordedRequest:
        raw = await request.body()
        record = RecordedRequest(
            method=request.method,
            path=request.url.path,
            query=dict(request.query_params),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=raw,
        )
        if raw:
            try:
                record.json = orjson.loads(raw)
            except orjson.JSONDecodeError:
                record.json = None
        self.requests.append(record)
        return record

    async def handle(self, request: Request, validate: Validator, answer: Answerer) -> Frames:
        """The shared pipeline of a generation endpoint, counted while it answers."""
        self.at_once += 1  # one event loop: no lock needed
        self.most_at_once = max(self.most_at_once, self.at_once)
        try:
            frames = await self._handle(request, validate, answer)
        except BaseException:  # the client left before its body was read, say
            self._answered()
            raise
        frames.on_over = self._answered
        return frames

    def _answered(self) -> None:
        self.at_once -= 1

    async def _handle(self, request: Request, validate: Validator, answer: Answerer) -> Frames:
        record = await self.record(request)
        try:
            self.check_auth(record)
            body = self.decode(record)
            validate(body, record)
            self.check_length(body)
        except Rejected as error:
            return self.rejection(error)
        reply = self.next_reply()
        if reply.fills_max_output:
            reply = filled(reply, self.max_output(body))
        failure = reply.error
        if failure is not None and not (failure.mid_stream and self.is_stream(body, record)):
            return self.failure(failure, reply)
        return answer(body, record, reply)

    async def preflight(self, request: Request, validate: Validator) -> tuple[Any, Frames | None]:
        """Record, authenticate and validate without consuming a Reply (count tokens, lists)."""
        record = await self.record(request)
        try:
            self.check_auth(record)
            body = self.decode(record) if record.body else None
            validate(body, record)
        except Rejected as error:
            return None, self.rejection(error)
        return body, None

    def decode(self, record: RecordedRequest) -> Any:
        if record.json is None and record.body.strip() != b"null":
            raise Rejected(self.bad_json_message)
        return record.json

    def rejection(self, error: Rejected) -> Frames:
        return json_answer(self.error_body(error), status=error.status, headers=self.response_headers())

    def failure(self, failure: Failure, reply: Reply) -> Frames:
        """The HTTP error answer a scripted Failure asks for."""
        headers = {**self.response_headers(), **failure.headers}
        if failure.retry_after is not None and self.retry_after_header:
            headers["retry-after"] = seconds(failure.retry_after)
        body = failure.body if failure.body is not None else self.error_body(self.as_rejected(failure))
        return json_answer(
            body, status=failure.status, headers=headers, first_byte_delay=reply.delay_before_first_byte
        )

    def as_rejected(self, failure: Failure) -> Rejected:
        kind = failure.kind or self.kind_for(failure.status)
        return Rejected(
            failure.message,
            status=failure.status,
            kind=kind,
            reason=failure.reason,
            retry_after=failure.retry_after,
        )

    def frames(self, frames: list[bytes], reply: Reply) -> Frames:
        """A streamed answer with the reply's timing and fault settings."""
        answer = Frames(
            frames,
            headers={**self.response_headers(), **reply.headers},
            first_byte_delay=reply.delay_before_first_byte,
            chunk_delay=reply.chunk_delay,
            drop_after=reply.drop_after_chunks,
        )
        self.streams.append(answer)
        return answer

    def whole(self, body: Any, reply: Reply) -> Frames:
        """A non-streamed answer with the reply's first-byte delay."""
        headers = {**self.response_headers(), **reply.headers}
        answer = json_answer(body, headers=headers, first_byte_delay=reply.delay_before_first_byte)
        self.whole_answers.append(answer)
        return answer

    def token_count(self, body: Any) -> int:
        """A stable stand-in for a token count: about one token per four bytes of JSON."""
        if self.count_tokens_result is not None:
            return self.count_tokens_result
        return max(1, len(orjson.dumps(body)) // 4)

    # -- control API, for a fake running in another process ---------------------------------

    def _control_routes(self) -> list[Route]:
        return [
            Route("/__fake__/script", self._control_script, methods=["POST"]),
            Route("/__fake__/requests", self._control_requests, methods=["GET"]),
            Route("/__fake__/reset", self._control_reset, methods=["POST"]),
        ]

    async def _control_script(self, request: Request) -> Frames:
        replies = orjson.loads(await request.body())
        self.script(*(Reply.from_dict(item) for item in replies))
        return json_answer({"pending": self.pending})

    async def _control_requests(self, request: Request) -> Frames:
        return json_answer(
            [
                {"method": r.method, "path": r.path, "query": r.query, "headers": r.headers, "json": r.json}
                for r in self.requests
            ]
        )

    async def _control_reset(self, request: Request) -> Frames:
        self.reset()
        return json_answer({"pending": 0})


def seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
