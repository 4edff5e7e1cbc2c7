"""Who dragoman introduces itself to Kiro as (upstreams.md §7.2): the Kiro IDE's AWS SDK,
with a machine hash that is the account's own (never the host's, which would link the
accounts of one machine)."""

from __future__ import annotations

import hashlib

SDK_VERSION = "1.0.27"
KIRO_VERSION = "0.7.45"
AGENT_MODE = "vibe"


def machine_hash(seed: str) -> str:
    return hashlib.sha256(f"dragoman-kiro:{seed}".encode()).hexdigest()


def user_agents(seed: str) -> dict[str, str]:
    """`user-agent` and `x-amz-user-agent`, as the IDE's SDK writes them."""
    ide = f"KiroIDE-{KIRO_VERSION}-{machine_hash(seed)}"
    return {
        "user-agent": (
            f"aws-sdk-js/{SDK_VERSION} ua/2.1 os/linux lang/js md/nodejs "
            f"api/codewhispererstreaming#{SDK_VERSION} m/E {ide}"
        ),
        "x-amz-user-agent": f"aws-sdk-js/{SDK_VERSION} {ide}",
    }
