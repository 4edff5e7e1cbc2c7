"""The client identity the Codex backend is sent: OpenAI's Codex CLI's own
(`originator` and a Codex User-Agent; upstreams.md §1.2, whose notes say generic
clients get blocked)."""

# The Codex CLI release whose identity is sent.
CODEX_VERSION = "0.147.0"
ORIGINATOR = "codex_cli_rs"
USER_AGENT = f"{ORIGINATOR}/{CODEX_VERSION} (Linux; x86_64) dragoman"

HEADERS = {
    "originator": ORIGINATOR,
    "user-agent": USER_AGENT,
    "openai-beta": "responses=experimental",
    "accept": "text/event-stream",
}
