"""Small dialogs: a new action, and the structure profile (the fiche Structure entered once)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.bindings import ProfileBinding
from desktop.form_view import FormView
from forms.definition import FormDefinition
from forms.store import Store


class NewActionDialog(QDialog):
    def __init__(self, definitions: list[FormDefinition], profile_filled: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Nouvelle action")
        self.definitions = definitions
        self.form_box = QComboBox()
        for definition in definitions:
            self.form_box.addItem(f"Campagne {definition.campaign.school_year} — {definition.title}")
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("exemple : Accompagnement scolaire du quartier des Hauts")
        self.title_edit.setMaxLength(200)
        self.title_edit.setAccessibleName("Nom de l'action")
        self.error = QLabel()
        self.error.setProperty("role", "error")
        self.error.hide()
        note = QLabel(
            "Une action = un questionnaire. La fiche Structure sera préremplie avec le profil de votre structure."
            if profile_filled
            else "Une action = un questionnaire. Astuce : renseignez le « Profil de la structure » (bouton en haut "
            "de la fenêtre) pour ne pas retaper la fiche Structure à chaque action."
        )
        note.setWordWrap(True)
        note.setProperty("role", "help-text")
        form = QFormLayout()
        form.addRow("Campagne :", self.form_box)
        form.addRow("Nom de l'action :", self.title_edit)
        buttons = QDialogButtonBox()
        buttons.addButton("Créer", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Annuler", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._on_accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(560, 0)

    def _on_accept(self) -> None:
        if not self.title_edit.text().strip():
            self.error.setText("Indiquez le nom de l'action (par exemple le lieu ou le quartier).")
            self.error.show()
            self.title_edit.setFocus()
            return
        self.accept()

    def chosen(self) -> tuple[FormDefinition, str]:
        return self.definitions[self.form_box.currentIndex()], self.title_edit.text().strip()


class ProfileDialog(QDialog):
    """The organisation's identity, saved as it is typed, copied into each new questionnaire.

    One page: no page list and no « Page précédente / suivante » (they would hold one item and stay
    greyed); « Enregistré à … » under the form says each answer is kept, as in a questionnaire.
    """

    def __init__(self, store: Store, definition: FormDefinition, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Profil de la structure")
        screen = self.screen().availableGeometry()
        self.resize(min(760, screen.width()), min(640, screen.height()))
        intro = QLabel(
            "Ces informations identifient votre structure. Elles sont reprises dans la fiche Structure de chaque "
            "nouvelle action ; vous pourrez toujours les modifier dans un questionnaire. Chaque réponse est "
            "enregistrée dès que vous la saisissez."
        )
        intro.setWordWrap(True)
        self.form = FormView(ProfileBinding(store, definition), attach=_no_attachment)
        if self.form.navigator.count() <= 1:  # a single page: the questionnaire's page chrome has no use here
            for chrome in (self.form.navigator, self.form.previous_button, self.form.next_button):
                chrome.hide()
        self.saved_label = QLabel("Chaque réponse est enregistrée dès sa saisie.")
        self.saved_label.setProperty("role", "saved")
        self.saved_label.setAccessibleName("État de l'enregistrement")
        self.saved_label.setWordWrap(True)
        self.error_label = QLabel()
        self.error_label.setProperty("role", "error")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.form.saved.connect(self._on_saved)
        self.form.save_failed.connect(self._on_save_failed)
        buttons = QDialogButtonBox()
        buttons.addButton("Fermer", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        footer = QHBoxLayout()
        footer.addWidget(self.saved_label, 1)
        footer.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.form, 1)
        layout.addWidget(self.error_label)
        layout.addLayout(footer)

    def _on_saved(self, moment: dt.datetime | None) -> None:
        self.error_label.hide()
        local = (moment or dt.datetime.now(dt.UTC)).astimezone()
        self.saved_label.setText(f"Enregistré à {local:%H:%M:%S}")

    def _on_save_failed(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        self.saved_label.setText("Non enregistré")

    def done(self, result: int) -> None:
        self.form.flush()
        super().done(result)


def _no_attachment(path):  # type: ignore[no-untyped-def]
    raise OSError(0, "pas de document dans le profil")
