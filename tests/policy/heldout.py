"""The classifier's held-out set: requests written and labelled after its weights were
set, and committed before the classifier was first run on them, so that its agreement
here says how it does on requests it was not tuned on (`test_heldout`).

Labels follow the rubric in `labels` (floors included), from each request's content
alone. Where the tuned set has a precedent, it is followed: a famous proof recalled
("infinitely many primes") is complex, a proof or derivation to construct is reasoning.

Two kinds of request:
- `PLACED`: a new prompt in a real client's captured request (tests/fixtures/
  client-requests), in place of its "Reply with OK": Claude Code's, Codex's and Gemini
  CLI's system prompts and tools around it (so the tools floor holds), or an SDK's bare
  body (no tools);
- `SPECS`: written requests rendered in every client dialect (`written.body`), for
  what the captures lack: images, a long document, a long system prompt, an agent's
  earlier tool calls, a reasoning effort.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from tests.captures import Capture
from tests.policy.written import FLOOR_TOOLS, Spec

# The one prompt of the captures' `text` variant (tests/fixtures/client-requests/INDEX.md).
CAPTURED_PROMPT = "Reply with OK"


@dataclass(frozen=True, slots=True)
class Placed:
    name: str
    capture: str  # the capture whose prompt it replaces, as `captures.Capture.name`
    prompt: str
    tier: str
    why: str


def placed(capture: Capture, prompt: str) -> Any:
    """The capture's body with its one "Reply with OK" replaced by `prompt`."""
    found = [0]

    def swap(value: Any) -> Any:
        if value == CAPTURED_PROMPT:
            found[0] += 1
            return prompt
        if isinstance(value, list):
            return [swap(item) for item in value]
        if isinstance(value, dict):
            return {key: swap(item) for key, item in value.items()}
        return value

    result = swap(copy.deepcopy(capture.body))
    if found[0] != 1:
        raise ValueError(f"{capture.name}: {found[0]} places for the prompt, not one")
    return result


CC, CC_OPUS = "claude-code/01-anthropic.messages.stream", "claude-code/04-anthropic.messages.stream"
CODEX, CODEX_SOL = "codex/01-openai.responses.stream", "codex/04-openai.responses.stream"
GEMINI_CLI, GEMINI_CLI_38 = "gemini-cli/01-gemini.stream", "gemini-cli/05-gemini.stream"
AGENT = "the agent offers its tools: the default tools floor is medium"

PLACED: tuple[Placed, ...] = (
    Placed("cc-rename", CC, "Rename getUser to fetchUser everywhere under src/ and update the imports.",
           "medium", "a routine edit across files by an agent"),
    Placed("cc-explain-command", CC_OPUS, "What does `git rebase --onto` do?",
           "medium", f"a lookup, but {AGENT}"),
    Placed("cc-double-charge", CC,
           "Customers sometimes get charged twice when they double-click Pay. The order is created in "
           "orders/api.py and the charge in payments/service.py, which has an idempotency check. Find out "
           "why it doesn't stop the second charge and propose a fix that holds with several web workers.",
           "complex", "a race across two modules and several processes"),
    Placed("cc-websocket-plan", CC_OPUS,
           "We want to replace REST polling with websockets for notifications. Look through the codebase and "
           "write a rollout plan in stages that keeps old mobile app versions working.",
           "complex", "a migration planned in stages with backwards compatibility"),
    Placed("cc-flaky", CC,
           "test_export_csv fails about one run in ten on CI but never on my machine. "
           "Investigate and fix it.",
           "complex", "an intermittent failure that depends on the environment: not routine debugging"),
    Placed("cc-heap-invariant", CC_OPUS,
           "Prove that sift_down in src/heap.py restores the heap property, and derive the worst-case number "
           "of comparisons for a heap of n elements.",
           "reasoning", "an invariant proof and a derivation to construct on the user's code"),
    Placed("cx-readme", CODEX, "Add a section to README.md documenting the --verbose flag.",
           "medium", f"a routine documentation edit; {AGENT}"),
    Placed("cx-tests", CODEX_SOL,
           "Write unit tests for parse_duration in utils/time.py; it accepts things like 1h30m and 45s.",
           "medium", "tests for a small function"),
    Placed("cx-cache-design", CODEX,
           "Should we cache API responses in the gateway or inside each service? Compare consistency, "
           "invalidation and cost for our setup and recommend one.",
           "complex", "a design choice weighed on several trade-offs"),
    Placed("cx-leak", CODEX_SOL,
           "The worker process grows by about 200 MB an hour until the OOM killer takes it. Find the leak.",
           "complex", "a leak to hunt down in a running system"),
    Placed("cx-hi", CODEX, "hi", "medium", f"a greeting, but {AGENT}"),
    Placed("cx-probing", CODEX_SOL,
           "Derive the expected number of probes for an unsuccessful search in a linear-probing hash table "
           "at load factor a, and explain each step of the derivation.",
           "reasoning", "a non-trivial probabilistic derivation"),
    Placed("gc-todos", GEMINI_CLI, "List all the TODO comments in this project with their file and line.",
           "medium", f"a routine search; {AGENT}"),
    Placed("gc-typo", GEMINI_CLI_38, "Fix the typo in the error message in main.go.",
           "medium", f"a one-word fix; {AGENT}"),
    Placed("gc-config-precedence", GEMINI_CLI,
           "Change the config loader so environment variables override the config file and the file "
           "overrides the defaults.",
           "medium", "ordinary coding on one module"),
    Placed("gc-redis-lock", GEMINI_CLI_38,
           "Two instances of our scheduler sometimes run the same cron job at the same time even though they "
           "take a Redis lock first. How can that happen, and how should the locking be redesigned so that a "
           "process pausing longer than the lock's TTL can't cause it?",
           "complex", "distributed locking under process pauses: a subtle failure and a redesign"),
    Placed("gc-knights", GEMINI_CLI,
           "On an island, knights always tell the truth and knaves always lie. A says 'B is a knave.' B says "
           "'A and C are the same kind.' C says 'A is a knight.' Work out what each of A, B and C is, and "
           "justify it.",
           "reasoning", "a logic puzzle solved case by case"),
    Placed("sdk-author", "python-sdks/01-openai.chat", "Who wrote One Hundred Years of Solitude?",
           "simple", "one fact"),
    Placed("sdk-synonyms", "python-sdks/02-openai.chat.stream", "Give me three synonyms for 'quick'.",
           "simple", "a word list"),
    Placed("sdk-regex", "python-sdks/03-openai.responses",
           "Write a regular expression that matches dates like 2024-03-15 and explain each part.",
           "medium", "a small piece of code, explained"),
    Placed("sdk-summary", "python-sdks/04-openai.responses.stream",
           "Summarize in one sentence: The city council voted on Tuesday to extend the bike lane on Main "
           "Street by two miles, citing a rise in cycling commuters and fewer accidents on the existing "
           "stretch. Work is due to begin in the spring.",
           "simple", "a one-sentence summary of a short paragraph"),
    Placed("sdk-pandas", "python-sdks/07-anthropic.messages",
           "Give me pandas code that groups a dataframe by country, takes the mean salary and sorts the "
           "result from highest to lowest.",
           "medium", "ordinary coding"),
    Placed("sdk-db-choice", "python-sdks/08-anthropic.messages.stream",
           "We're choosing between PostgreSQL and DynamoDB for an event-sourced order system with about "
           "5,000 writes a second and heavy ad-hoc reporting. Weigh the trade-offs and recommend one.",
           "complex", "a design choice with trade-offs under stated load"),
    Placed("sdk-sqrt2", "python-sdks/12-gemini.generate", "Prove that the square root of 2 is irrational.",
           "complex", "a famous proof recalled, as 'infinitely many primes' in the tuned set"),
    Placed("sdk-decline", "python-sdks/13-gemini.generate",
           "Write a short, polite note declining a meeting invitation for Friday afternoon.",
           "simple", "a short routine note"),
    Placed("sdk-dict-lookup", "python-sdks/15-gemini.stream",
           "What's the average time complexity of looking up a key in a Python dict?",
           "simple", "one fact"),
    Placed("sdk-odd-sum", "python-sdks/01-openai.chat",
           "Show by induction that 1 + 3 + 5 + ... + (2n - 1) = n^2 for every n >= 1.",
           "complex", "a short standard induction: a proof, but a textbook one"),
    Placed("sdk-none", "python-sdks/05-openai.responses.stream",
           "My function prints None instead of the sum, why?\n```python\ndef total(xs):\n    s = 0\n"
           "    for x in xs:\n        s += x\n\nprint(total([1, 2, 3]))\n```",
           "medium", "routine debugging of a few lines"),
    Placed("sdk-haiku", "python-sdks/10-anthropic.messages", "Write a haiku about autumn rain.",
           "simple", "a three-line poem"),
)  # fmt: skip

TRANSCRIPT = "".join(
    f"{('Ana', 'Ben', 'Chloe')[n % 3]}: on item {n}, we keep the vendor "
    f"and move the review to week {n % 12}.\n"
    for n in range(2400)
)
STYLE_GUIDE = "".join(
    f"Rule {n}: write in plain words, keep sentences short, never promise a date you cannot keep.\n"
    for n in range(220)
)
DCL = (
    "Is this singleton thread-safe?\n```java\nclass Config {\n  private static Config instance;\n"
    "  static Config get() {\n    if (instance == null) {\n      synchronized (Config.class) {\n"
    "        if (instance == null) instance = new Config();\n      }\n    }\n"
    "    return instance;\n  }\n}\n```\n"
    "What can go wrong under the Java memory model?"
)

SPECS: tuple[Spec, ...] = (
    Spec("w-receipt", "What's the total on this receipt?", "complex",
         "reading an image: the default images floor is complex", images=1),
    Spec("w-transcript", "Summarize the decisions made in this meeting transcript as a bulleted list.\n\n"
         + TRANSCRIPT, "medium", "a long input that only needs summarizing"),
    Spec("w-style-guide", "Reword this to sound friendlier: 'Your request has been denied.'", "simple",
         "a rewording; the long system prompt does not make it harder", system=STYLE_GUIDE),
    Spec("w-agent-loop", "The tests still fail.", "complex",
         "an agent that read the same file twice: one tier above the tools floor", tools=4,
         calls=("tests/test_api.py", "tests/test_api.py")),
    Spec("w-coins",
         "Among 12 coins one is counterfeit, either heavier or lighter. What is the minimum number of "
         "weighings on a balance to find it and tell whether it is heavier or lighter? Give a strategy and "
         "prove it is optimal.",
         "reasoning", "a puzzle with a strategy and an optimality proof", effort="high"),
    Spec("w-double-checked-locking", DCL, "complex", "a memory-model subtlety in a short piece of code"),
    Spec("w-kitten", "Suggest a name for a grey kitten.", "simple", "a name"),
    Spec("w-ounces", "How many ounces are in 2.5 kilograms?", "simple", "a unit conversion"),
    Spec("w-dockerfile",
         "Write a Dockerfile for a Node 20 app that runs npm start on port 3000, with a multi-stage build to "
         "keep the image small.",
         "medium", "ordinary configuration code"),
    Spec("w-aces",
         "Two cards are drawn from a standard deck without replacement. What is the probability that both "
         "are aces?",
         "medium", "a short textbook calculation"),
    Spec("w-timezone-tools", "What time zone is Tokyo in?", "medium", f"a fact, but it {FLOOR_TOOLS}",
         tools=3),
    Spec("w-saas-schema",
         "Design the database schema for a multi-tenant invoicing app: tenants, customers, invoices, line "
         "items, per-country taxes and an audit history. Explain the indexes and how tenants are kept apart.",
         "complex", "a schema design with isolation and indexing choices"),
    Spec("w-regex-read", "What does the regex ^\\d{3}-\\d{4}$ match?", "simple", "reading a tiny regex"),
    Spec("w-rust-lifetime",
         "Why doesn't this compile, and how do I fix it?\n```rust\nfn longest(a: &str, b: &str) -> &str {\n"
         "    if a.len() > b.len() { a } else { b }\n}\n```",
         "medium", "a routine compiler error (a missing lifetime)"),
    Spec("w-interval-greedy",
         "Prove that the greedy algorithm that always picks the interval ending earliest gives a largest set "
         "of non-overlapping intervals.",
         "reasoning", "an algorithm's correctness proof (an exchange argument) to construct"),
)  # fmt: skip
