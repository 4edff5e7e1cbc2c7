"""The loopback listener, driven with httpx as a browser would be redirected to it."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from dragoman.auth.callback import CallbackListener, LoginError

STATE = "the-state"


async def test_a_redirect_with_the_state_and_a_code_ends_the_wait() -> None:
    listener = await CallbackListener.start(0, "/auth/callback", STATE)
    try:
        async with httpx.AsyncClient() as browser:
            answer = await browser.get(
                f"http://127.0.0.1:{listener.port}/auth/callback?code=abc&state={STATE}"
            )
        assert answer.status_code == 200 and "close this tab" in answer.text
        assert await asyncio.wait_for(listener.wait(), 5) == "abc"
    finally:
        await listener.close()


async def test_a_wrong_state_is_refused_and_the_wait_goes_on() -> None:
    listener = await CallbackListener.start(0, "/auth/callback", STATE)
    base = f"http://127.0.0.1:{listener.port}/auth/callback"
    try:
        async with httpx.AsyncClient() as browser:
            forged = await browser.get(f"{base}?code=evil&state=forged")
            missing = await browser.get(f"{base}?code=evil")
            elsewhere = await browser.get(f"http://127.0.0.1:{listener.port}/other?code=x&state={STATE}")
            assert (forged.status_code, missing.status_code, elsewhere.status_code) == (400, 400, 404)
            assert "State mismatch" in forged.text
            waiting = asyncio.ensure_future(listener.wait())
            await asyncio.sleep(0.05)
            assert not waiting.done()
            await browser.get(f"{base}?code=good&state={STATE}")
        assert await asyncio.wait_for(waiting, 5) == "good"
    finally:
        await listener.close()


async def test_a_refusal_ends_the_login_with_the_providers_reason() -> None:
    listener = await CallbackListener.start(0, "/cb", STATE)
    try:
        async with httpx.AsyncClient() as browser:
            answer = await browser.get(
                f"http://127.0.0.1:{listener.port}/cb?error=access_denied&error_description=missing_codex_entitlement"
            )
        assert answer.status_code == 400
        with pytest.raises(LoginError, match="missing_codex_entitlement"):
            await asyncio.wait_for(listener.wait(), 5)
    finally:
        await listener.close()


async def test_another_login_can_cancel_this_one() -> None:
    listener = await CallbackListener.start(0, "/auth/callback", STATE)
    try:
        async with httpx.AsyncClient() as browser:
            await browser.get(f"http://127.0.0.1:{listener.port}/cancel")
        with pytest.raises(LoginError, match="cancelled"):
            await asyncio.wait_for(listener.wait(), 5)
    finally:
        await listener.close()


async def test_a_taken_port_is_an_os_error() -> None:
    first = await CallbackListener.start(0, "/auth/callback", STATE)
    try:
        with pytest.raises(OSError):
            await CallbackListener.start(first.port, "/auth/callback", STATE)
    finally:
        await first.close()
