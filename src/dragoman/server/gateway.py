"""What every request handler shares: settings, the model registry, upstream clients."""

from __future__ import annotations

from dataclasses import dataclass, field

from dragoman.config import Settings
from dragoman.providers.http import UpstreamClients
from dragoman.routing.registry import Registry
from dragoman.store import Database


@dataclass(slots=True)
class Gateway:
    settings: Settings
    registry: Registry
    clients: UpstreamClients = field(default_factory=UpstreamClients)
    database: Database | None = None

    async def aclose(self) -> None:
        await self.clients.aclose()
        if self.database is not None:
            await self.database.close()
