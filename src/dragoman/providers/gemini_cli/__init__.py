"""Gemini CLI subscriptions ("Login with Google"): Google's Code Assist backend
(`cloudcode-pa.googleapis.com/v1internal`), which speaks Gemini inside an envelope.

Each account is onboarded once and its Google Cloud project kept (onboarding.py); every
request names the model and that project around the usual GenerateContentRequest, at
`:generateContent` / `:streamGenerateContent?alt=sse` on the base URL (envelope.py).
Answers and quota errors are read by the gemini dialect (a 429 waits for RetryInfo or
the quota's reset). There is no model list to read: the lineup is the gemini kind's.
"""

from dragoman.providers.gemini.quirks import fix_request
from dragoman.providers.gemini_cli.auth import OAUTH
from dragoman.providers.gemini_cli.envelope import upstream_path
from dragoman.providers.gemini_cli.models import MODELS
from dragoman.providers.gemini_cli.runtime import USER_AGENT, CodeAssistRuntime
from dragoman.providers.spec import ProviderSpec

__all__ = ["SPEC"]

SPEC = ProviderSpec(
    kind="gemini_cli",
    dialects=("gemini",),
    base_url="https://cloudcode-pa.googleapis.com/v1internal",
    auth="bearer",
    needs_key=False,
    headers={"user-agent": USER_AGENT},
    models=MODELS,
    fix_request=fix_request,
    upstream_path=upstream_path,
    models_path=None,
    # `:countTokens` on the login's account (envelope `{"request": {"model", "contents"}}`).
    login_counter="code_assist",
    oauth=OAUTH,
    runtime=CodeAssistRuntime(),
)
