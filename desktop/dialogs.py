"""Small dialogs: a new action, and the structure profile (the fiche Structure entered once)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
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
    """The organisation's identity, saved as it is typed, copied into each new questionnaire."""

    def __init__(self, store: Store, definition: FormDefinition, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Profil de la structure")
        self.resize(900, 640)
        intro = QLabel(
            "Ces informations identifient votre structure. Elles sont reprises dans la fiche Structure de chaque "
            "nouvelle action ; vous pourrez toujours les modifier dans un questionnaire."
        )
        intro.setWordWrap(True)
        self.form = FormView(ProfileBinding(store, definition), attach=_no_attachment)
        buttons = QDialogButtonBox()
        buttons.addButton("Fermer", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.form, 1)
        layout.addWidget(buttons)

    def done(self, result: int) -> None:
        self.form.flush()
        super().done(result)


def _no_attachment(path):  # type: ignore[no-untyped-def]
    raise OSError(0, "pas de document dans le profil")
