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
        # French warnings, one per definition file set aside (bad or clashing), for the CLI and the app.
        self.set_aside: list[str] = []
        for definition in definitions:
            self.add(definition)

    @classmethod
    def load(cls, *folders: Path, strict: bool = True) -> FormRegistry:
        """Load the shipped definitions and every `*.json` of `folders`.

        Strict (the server, the self-test): a bad file raises DefinitionError. Not strict (the app and
        the CLI on DATA/forms): a bad file in `folders` is set aside with one French warning in
        `set_aside`, so one damaged or too-new definition never stops the others from working. The
        shipped definitions are always strict: a bad one is a broken installation."""
        registry = cls()
        for path in sorted(shipped_forms_dir().glob("*.json")):
            registry.add(load_definition(path))
        for folder in folders:
            for path in sorted(folder.glob("*.json")):
                try:
                    registry.add(load_definition(path), path.name)
                except DefinitionError as error:
                    if strict:
                        raise
                    registry.set_aside.append(f"Définition mise de côté (les autres restent utilisables) : {error}")
        return registry

    def add(self, definition: FormDefinition, source: str = "") -> None:
        known = self._by_key.get(definition.key)
        if known is not None and known != definition:
            raise DefinitionError(
                f"Deux définitions différentes portent le même identifiant {definition.id} version {definition.version}"
                + (f" « {source} »" if source else "")
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
