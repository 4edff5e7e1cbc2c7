"""Google Gemini REST: generateContent and streamGenerateContent (`alt=sse`), camelCase JSON.

    request.py    GenerateContentRequest <-> ir.Request (model and stream come from the URL)
    response.py   GenerateContentResponse <-> ir.Response
    stream.py     SSE chunks of new parts <-> ir events
    error.py      google.rpc error envelope <-> GatewayError
    parts.py      Gemini parts -> IR parts;    content.py  IR parts -> Gemini parts
    tools.py      tools and toolConfig;        config.py   generationConfig and thinking
    schema.py     Gemini's OpenAPI schema subset <-> JSON Schema
    outcome.py    finishReason and usageMetadata
    fields.py     field access accepting camelCase and snake_case
    wire.py       TypedDicts of the shapes rendered

Thought signatures are modelled as `Thinking` parts; the ones handed to clients are
base64 of `ir.reasoning`'s wrapping, because Gemini SDKs treat them as bytes.
"""
