"""The typed request context every resolver receives as ``info.context``."""

from __future__ import annotations

from dataclasses import dataclass, field

import strawberry
from graphql import DocumentNode

from resolvers.events.feed import EventFeed
from resolvers.reads.loaders import Loaders
from resolvers.session import SessionFactory
from resolvers.viewer import ANONYMOUS, Viewer


@dataclass
class Context:
    sessions: SessionFactory
    request_id: str
    viewer: Viewer = ANONYMOUS
    #: The operation's document, parsed and validated already (``graph.prepare``): the schema
    #: runs it as it is instead of parsing and validating the query text again.
    document: DocumentNode | None = None
    #: The process's event feed (subscriptions; ``None`` where the app runs without one).
    events: EventFeed | None = None
    _loaders: Loaders | None = field(default=None, repr=False)

    @property
    def loaders(self) -> Loaders:
        """Built on first use, so requests that need none pay nothing."""
        if self._loaders is None:
            self._loaders = Loaders(self.sessions, self.viewer)
        return self._loaders

    def reset_loaders(self) -> None:
        """Forget everything loaded so far: called after a mutation commits."""
        self._loaders = None


Info = strawberry.Info[Context, None]
