"""Errors whose text is shown to the user, named by a message-catalogue key."""

from __future__ import annotations

from typing import Any


class InputError(ValueError):
    """Input the console refuses; ``key`` (and ``params``) pick the message from the catalogue."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
