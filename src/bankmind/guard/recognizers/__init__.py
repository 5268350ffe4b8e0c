"""PII recognizers: one class per entity type, collected in a registry.

A recognizer finds `Candidate` spans of one entity type in a text and validates them (check digits,
region codes, dates, dictionaries); the `Analyzer` in `bankmind.guard.pii` adds context-word boosting,
resolves overlaps and builds `PiiSpan` results. Built-in recognizers are registered exactly the way a
bank's own would be: a module with a `register(registry)` function, named in the `plugins` setting.

    from bankmind.guard.recognizers import Candidate, Recognizer

    class StaffIdRecognizer(Recognizer):
        name = "staff_id"
        entity = "STAFF_ID"
        context = ("工号", "员工编号")

        def analyze(self, text: str) -> Iterator[Candidate]:
            for m in STAFF_ID.finditer(text):
                yield Candidate(m.start(), m.end(), 0.6)

    def register(registry: RecognizerRegistry) -> None:
        registry.register(StaffIdRecognizer)
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import ClassVar

from bankmind.errors import ConfigError
from bankmind.guard.recognizers.resources import Resources

__all__ = ["Candidate", "Recognizer", "RecognizerRegistry", "Resources", "default_registry"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A span a recognizer found: character offsets, a score in [0, 1], and whether a check passed."""

    start: int
    end: int
    score: float
    validated: bool = False


class Recognizer(ABC):
    """Finds one entity type. Subclasses set `name`, `entity`, optional `context`, and `analyze`.

    `context` words near a candidate raise its score (see `Analyzer`); `negative_context` words
    (order numbers, contract numbers) lower the score of candidates that carry no check digit.
    Instances are created once per `Analyzer` and must not change state in `analyze`, so one
    instance serves many threads.
    """

    name: ClassVar[str]
    entity: ClassVar[str]
    context: ClassVar[tuple[str, ...]] = ()
    negative_context: ClassVar[tuple[str, ...]] = ()

    def __init__(self, resources: Resources) -> None:
        self.resources = resources

    @abstractmethod
    def analyze(self, text: str) -> Iterator[Candidate]:
        """Yield candidates in `text` (already normalised: full-width ASCII mapped to half-width)."""


class RecognizerRegistry:
    """Recognizer classes by name; built-ins and a bank's own register the same way."""

    def __init__(self) -> None:
        self._classes: dict[str, type[Recognizer]] = {}

    def register(self, recognizer: type[Recognizer]) -> None:
        """Add a recognizer class; a second class under the same name is a configuration error."""
        name = recognizer.name
        if name in self._classes and self._classes[name] is not recognizer:
            raise ConfigError(
                f"two PII recognizers are named '{name}' ({self._classes[name].__module__} and "
                f"{recognizer.__module__}); rename one of them"
            )
        self._classes[name] = recognizer

    def names(self) -> list[str]:
        return sorted(self._classes)

    def get(self, name: str) -> type[Recognizer]:
        try:
            return self._classes[name]
        except KeyError:
            raise ConfigError(
                f"unknown PII recognizer '{name}'; valid names: {', '.join(self.names())}"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._classes

    def __len__(self) -> int:
        return len(self._classes)


def default_registry(plugins: Sequence[str] = ()) -> RecognizerRegistry:
    """The built-in recognizers plus those of the named plugin modules (each has `register(registry)`)."""
    registry = RecognizerRegistry()
    for module_name in ("bankmind.guard.recognizers.builtin", *plugins):
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise ConfigError(
                f"PII recognizer plugin '{module_name}' cannot be imported ({exc}); install it or "
                "remove it from the pii plugins setting"
            ) from None
        register = getattr(module, "register", None)
        if not callable(register):
            raise ConfigError(
                f"PII recognizer plugin '{module_name}' has no register(registry) function; add one"
            )
        register(registry)
    return registry
