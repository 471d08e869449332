"""Every form definition the app knows, by id and version: those shipped in resources/forms,
plus any extra folder (definitions received from the server, test definitions)."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from forms.definition import DefinitionError, FormDefinition, load_definition


def shipped_forms_dir() -> Path:
    return Path(str(resources.files("resources") / "forms"))


class FormRegistry:
    def __init__(self, definitions: Iterable[FormDefinition] = ()) -> None:
        self._by_key: dict[tuple[str, int], FormDefinition] = {}
        for definition in definitions:
            self.add(definition)

    @classmethod
    def load(cls, *folders: Path) -> FormRegistry:
        """Load the shipped definitions and every `*.json` of `folders`; a bad file raises DefinitionError."""
        registry = cls()
        for folder in (shipped_forms_dir(), *folders):
            for path in sorted(folder.glob("*.json")):
                registry.add(load_definition(path))
        return registry

    def add(self, definition: FormDefinition) -> None:
        known = self._by_key.get(definition.key)
        if known is not None and known != definition:
            raise DefinitionError(
                f"Deux définitions différentes portent le même identifiant {definition.id} version {definition.version}"
            )
        self._by_key[definition.key] = definition

    def get(self, form_id: str, version: int | None = None) -> FormDefinition:
        """The definition `form_id` at `version`, or its latest version; KeyError if unknown."""
        if version is not None:
            return self._by_key[(form_id, version)]
        versions = [d for (fid, _), d in self._by_key.items() if fid == form_id]
        if not versions:
            raise KeyError(form_id)
        return max(versions, key=lambda d: d.version)

    def __contains__(self, key: tuple[str, int]) -> bool:
        return key in self._by_key

    def all(self) -> list[FormDefinition]:
        """Every definition, newest campaign first, then by id and version."""
        return sorted(self._by_key.values(), key=lambda d: (d.campaign.opens, d.id, d.version), reverse=True)

    def latest(self) -> list[FormDefinition]:
        """The latest version of each form id, newest campaign first."""
        return [d for d in self.all() if d is self.get(d.id)]
