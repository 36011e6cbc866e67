"""Errors that carry a one-line, user-facing message (file, location, what is wrong, what was expected)."""

from __future__ import annotations


class InputError(ValueError):
    """Bad user input. ``problems`` holds one line per problem found."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))
