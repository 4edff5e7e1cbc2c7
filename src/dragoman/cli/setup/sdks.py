"""Snippets for the official SDKs, which have no config file to write: `--print` only.

The key is read from DRAGOMAN_API_KEY, so the snippet can be pasted into code that
is shared or committed.
"""

from __future__ import annotations

from dragoman.cli.setup.target import Target

PLACEHOLDER_MODEL = "MODEL"  # no --model: `dragoman models` lists what to put here


def python_sdk(target: Target) -> str:
    model, root = target.model or PLACEHOLDER_MODEL, target.root_url
    return f"""\
import os

from anthropic import Anthropic
from google import genai
from google.genai import types
from openai import OpenAI

key = os.environ["DRAGOMAN_API_KEY"]
openai = OpenAI(base_url="{root}/v1", api_key=key)
openai.chat.completions.create(model="{model}", messages=[{{"role": "user", "content": "Hi"}}])
anthropic = Anthropic(base_url="{root}", api_key=key)
anthropic.messages.create(model="{model}", max_tokens=1024, messages=[{{"role": "user", "content": "Hi"}}])
google = genai.Client(api_key=key, http_options=types.HttpOptions(base_url="{root}"))
google.models.generate_content(model="{model}", contents="Hi")
"""


def js_sdk(target: Target) -> str:
    model, root = target.model or PLACEHOLDER_MODEL, target.root_url
    return f"""\
import Anthropic from "@anthropic-ai/sdk";
import {{ GoogleGenAI }} from "@google/genai";
import OpenAI from "openai";

const key = process.env.DRAGOMAN_API_KEY;
const openai = new OpenAI({{ baseURL: "{root}/v1", apiKey: key }});
await openai.chat.completions.create({{ model: "{model}", messages: [{{ role: "user", content: "Hi" }}] }});
const anthropic = new Anthropic({{ baseURL: "{root}", apiKey: key }});
const messages = [{{ role: "user", content: "Hi" }}];
await anthropic.messages.create({{ model: "{model}", max_tokens: 1024, messages }});
const google = new GoogleGenAI({{ apiKey: key, httpOptions: {{ baseUrl: "{root}" }} }});
await google.models.generateContent({{ model: "{model}", contents: "Hi" }});
"""


SNIPPETS = {"python-sdk": python_sdk, "js-sdk": js_sdk}
