"""The one model id every Cursor plan has: `auto`, Cursor's own choice. Cursor's live
list (`agent.v1.AgentService/GetUsableModels`) is a Connect call with protobuf messages
no public source describes, so it is not read (README, Cursor)."""

from dragoman.providers.spec import ModelInfo

MODELS = (ModelInfo("auto", display_name="Cursor auto", router=True),)
