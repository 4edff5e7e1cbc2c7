"""An image input, sent as base64 in the client's own form."""

from __future__ import annotations

import base64

from tests.conformance.clients import Conversation
from tests.conformance.scenario import PNG, PNG_B64
from tests.conformance.upstreams import View
from tests.fakes import Fake, Reply


def test_image_input(talk: Conversation, upstream: Fake, view: View) -> None:
    upstream.script(Reply(text="A single pixel."))
    talk.user("What is in this image?", image=PNG)

    answer = talk.send()

    assert answer.text == "A single pixel."
    images = view.images(upstream.last.json)
    assert len(images) == 1
    media_type, data = images[0]
    assert media_type == "image/png"
    assert base64.b64decode(data) == PNG
    assert data.rstrip("=") == PNG_B64.rstrip("=")
    assert "What is in this image?" in upstream.last.body.decode()
