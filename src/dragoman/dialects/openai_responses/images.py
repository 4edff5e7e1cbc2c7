"""`image_generation_call` items (what the hosted `image_generation` tool made) <-> IR
images, so a drawn image survives the hub: an OpenAI or Codex upstream's call becomes an
assistant `Image`, and an assistant image from any upstream (a Gemini image model's
inlineData, say) reaches a Responses client as the item OpenAI would send.

The item's settings (size, quality, revised prompt) have no IR home; only the image and
its format cross. In history a client sends back, the items are dropped with the other
hosted ones (`input._HOSTED_ITEMS`): no other upstream could read them.
"""

from __future__ import annotations

from typing import Any

from dragoman.ir.messages import Image

KIND = "image_generation_call"
# The stream events between an image call's output_item.added and .done, as OpenAI sends them.
_STAGES = ("in_progress", "generating", "completed")


def image_part(item: dict[str, Any]) -> Image | None:
    """The image an upstream's `image_generation_call` holds; None while it has none."""
    result = item.get("result")
    if not isinstance(result, str) or not result:
        return None
    form = item.get("output_format")
    return Image(media_type=f"image/{form if isinstance(form, str) and form else 'png'}", data=result)


def drawn(part: object) -> bool:
    """Whether a part is an image a Responses output can carry (inline data, not a URL)."""
    return isinstance(part, Image) and bool(part.data)


def image_item(item_id: str, part: Image, status: str = "completed") -> dict[str, Any]:
    done = status == "completed"
    item: dict[str, Any] = {
        "type": KIND,
        "id": item_id,
        "status": status,
        "result": part.data if done else None,
    }
    if done and part.media_type:
        item["output_format"] = part.media_type.removeprefix("image/")
    return item


def image_events(item_id: str, output_index: int, part: Image) -> list[dict[str, Any]]:
    """The stream events of one whole image call, from output_item.added to .done."""
    where = {"item_id": item_id, "output_index": output_index}
    opened = image_item(item_id, part, status="in_progress")
    return [
        {"type": "response.output_item.added", "output_index": output_index, "item": opened},
        *({"type": f"response.image_generation_call.{stage}", **where} for stage in _STAGES),
        {
            "type": "response.output_item.done",
            "output_index": output_index,
            "item": image_item(item_id, part),
        },
    ]
