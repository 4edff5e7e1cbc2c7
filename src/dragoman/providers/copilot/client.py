"""The editor dragoman introduces itself to Copilot as (upstreams.md §9): the VS Code
Copilot Chat extension, on the exchange and on every request."""

VSCODE_VERSION = "1.104.3"
COPILOT_CHAT_VERSION = "0.26.7"

EDITOR_HEADERS = {
    "editor-version": f"vscode/{VSCODE_VERSION}",
    "editor-plugin-version": f"copilot-chat/{COPILOT_CHAT_VERSION}",
    "user-agent": f"GitHubCopilotChat/{COPILOT_CHAT_VERSION}",
    "x-github-api-version": "2025-04-01",
}
