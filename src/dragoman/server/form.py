"""multipart/form-data bodies (OpenAI's image edits): read with the standard library's
MIME parser, written again with httpx's encoder, so a form passes on with one field
changed (the model's upstream id) and its files byte for byte; `image_type` names an
image file's type for upstreams that take images inline (Gemini, xAI)."""

from __future__ import annotations

from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser

from starlette.requests import Request

from dragoman.ir.errors import InvalidRequest, RequestTooLarge
from dragoman.server.body import too_large

FORM = "multipart/form-data"
# An edit's files that are images to edit: the SDK names one `image`, several `image[]`.
IMAGE_FILES = ("image", "image[]")
IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp")


@dataclass(frozen=True, slots=True)
class FormFile:
    name: str
    filename: str
    content: bytes
    content_type: str


@dataclass(slots=True)
class Form:
    fields: dict[str, str] = field(default_factory=dict)
    files: list[FormFile] = field(default_factory=list)


async def read_form(request: Request, limit: int) -> Form:
    """The request's form; 413 past `limit` bytes, 400 if it is no multipart form."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(FORM):
        raise InvalidRequest(f"expected a {FORM} body (the image files and the fields), got {content_type!r}")
    size, chunks = 0, []
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestTooLarge(too_large(size, limit))
        chunks.append(chunk)
    request.scope["state"]["exchange"].bytes_in = size
    return parse(content_type, b"".join(chunks))


def parse(content_type: str, body: bytes) -> Form:
    head = b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n"
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise InvalidRequest("the form could not be read: no parts under its boundary")
    form = Form()
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            raise InvalidRequest("the form has a part without a name")
        content = part.get_payload(decode=True)
        content = content if isinstance(content, bytes) else b""
        filename = part.get_filename()
        if filename is None:
            form.fields[name] = content.decode("utf-8", errors="replace")
        else:
            form.files.append(FormFile(name, filename, content, part.get_content_type()))
    return form


def encode(form: Form) -> tuple[bytes, str]:
    """(the body, its content type with the boundary) of `form`."""
    import httpx  # only when an edit is sent on: `serve` loads httpx for proxies and HTTP/2 alone

    files = [(file.name, (file.filename, file.content, file.content_type)) for file in form.files]
    request = httpx.Request("POST", "http://form.invalid/", data=form.fields, files=files)
    return request.read(), request.headers["content-type"]


def image_type(file: FormFile) -> str:
    """The image's type: as the form says, else from its first bytes (the SDK says
    application/octet-stream for a file it cannot name)."""
    if file.content_type in IMAGE_TYPES:
        return file.content_type
    head = file.content[:12]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    raise InvalidRequest(f"{file.name}: {file.filename!r} is not a PNG, JPEG or WebP image", param=file.name)
