"""Dialogs of the sync: logging in to the Caf's server, and choosing between the Caf's value and mine."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.sync_controller import SyncController
from forms.definition import FormDefinition
from forms.display import answer_text
from forms.overview import notice_author
from forms.store.remote import ConflictInfo
from sync.credentials import MEMORY_ONLY_TEXT


def forgotten_password_text(caf: str) -> str:
    """One plain sentence: who resets a partner's password (`caf`: « la Caf 73 », or « la Caf »)."""
    who = "Votre Caf" if caf == "la Caf" else f"Votre Caf ({caf.removeprefix('la ')})"
    return (
        f"{who} peut réinitialiser votre mot de passe depuis sa console Bilan Clas : demandez-le à votre "
        "correspondant Clas de la Caf, qui vous donnera un nouveau mot de passe."
    )


class LoginDialog(QDialog):
    """Server address (remembered), e-mail and password; the check runs off the GUI thread."""

    def __init__(self, controller: SyncController, server_url: str, email: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("Connexion au serveur de la Caf")
        self.server_edit = QLineEdit(server_url)
        self.server_edit.setPlaceholderText("https://… (adresse donnée par votre Caf)")
        self.email_edit = QLineEdit(email)
        self.email_edit.setPlaceholderText("contact@association.fr")
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.show_password = QCheckBox("Afficher le mot de passe")
        self.show_password.toggled.connect(self._on_show_password)
        for edit, name in (
            (self.server_edit, "Adresse du serveur"),
            (self.email_edit, "E-mail"),
            (self.password_edit, "Mot de passe"),
        ):
            edit.setAccessibleName(name)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setProperty("role", "error")
        self.message.hide()
        note = QLabel(
            MEMORY_ONLY_TEXT
            if controller.memory_only()
            else "Le mot de passe n'est pas conservé ; la connexion est gardée dans le trousseau sécurisé du système."
        )
        self.note = note
        note.setWordWrap(True)
        note.setProperty("role", "help-text")
        form = QFormLayout()
        form.addRow("Adresse du serveur :", self.server_edit)
        form.addRow("E-mail :", self.email_edit)
        form.addRow("Mot de passe :", self.password_edit)
        form.addRow("", self.show_password)
        # « Mot de passe oublié ? »: nothing to reset here; the Caf does it from its console (Partenaires).
        self.forgot_button = QPushButton("Mot de passe oublié ?")
        self.forgot_button.setObjectName("link")  # a link, as « Effacer la réponse »
        self.forgot_button.setCheckable(True)
        self.forgot_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.forgot_label = QLabel(forgotten_password_text(notice_author(controller.store)))
        self.forgot_label.setWordWrap(True)
        self.forgot_label.setProperty("role", "help-text")
        self.forgot_label.setAccessibleName("Mot de passe oublié")
        self.forgot_label.hide()
        self.forgot_button.toggled.connect(self._on_forgot)
        form.addRow("", self.forgot_button)
        form.setAlignment(self.forgot_button, Qt.AlignmentFlag.AlignLeft)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # narrow screens: label above the field
        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton("Se connecter", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("Annuler", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self._on_submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.forgot_label)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        controller.logged_in.connect(self._on_logged_in)
        controller.failed.connect(self._on_failed)
        controller.server_change_requested.connect(self._on_server_changed)
        self.confirm: QMessageBox | None = None
        controller.credentials_rejected.connect(self._on_rejected)
        self.resize(520, 0)
        (self.password_edit if server_url and email else self.server_edit).setFocus()

    def _on_submit(self) -> None:
        server, email, password = (
            self.server_edit.text().strip(),
            self.email_edit.text().strip(),
            self.password_edit.text(),
        )
        if not (server and email and password):
            self._show("Renseignez l'adresse du serveur, votre e-mail et votre mot de passe.")
            return
        self.ok_button.setEnabled(False)
        self.ok_button.setText("Connexion…")
        self.controller.login(server, email, password)

    def _on_logged_in(self, _organisation: str) -> None:
        self.accept()

    def _on_server_changed(self, message: str) -> None:
        if not self.isVisible():
            return
        self.confirm = QMessageBox(
            QMessageBox.Icon.Question,
            "Changer de serveur ?",
            f"{message}\n\nVous connecter quand même ? Les questionnaires que ce serveur n'a pas reçus lui "
            "seront renvoyés ; rien n'est effacé de cet ordinateur.",
            parent=self,
        )
        self.switch_button = self.confirm.addButton("Changer de serveur", QMessageBox.ButtonRole.AcceptRole)
        self.confirm.addButton("Annuler", QMessageBox.ButtonRole.RejectRole)
        self.confirm.buttonClicked.connect(self._on_switch_answer)
        self.confirm.open()

    def _on_switch_answer(self, button: QAbstractButton) -> None:
        if button is not self.switch_button:
            self._show("Connexion annulée : vous restez sur le serveur précédent.")
            return
        self.controller.login(
            self.server_edit.text().strip(),
            self.email_edit.text().strip(),
            self.password_edit.text(),
            switch_server=True,
        )

    def _on_failed(self, message: str) -> None:
        if self.isVisible():
            self._show(message)

    def _on_rejected(self) -> None:
        # a wrong password: typed again from scratch; the address and the e-mail stay
        self.password_edit.clear()
        self.password_edit.setFocus()
        self.forgot_button.setChecked(True)  # who can help, said at once

    def _on_forgot(self, shown: bool) -> None:
        self.forgot_label.setVisible(shown)
        self._fit()

    def _fit(self) -> None:
        """As tall as the text now needs at the dialog's width (adjustSize() would narrow it)."""
        layout = self.layout()
        if layout is not None and layout.hasHeightForWidth():
            needed = layout.totalHeightForWidth(self.width())
        else:
            needed = self.sizeHint().height()
        self.resize(self.width(), max(needed, self.minimumSizeHint().height()))

    def _on_show_password(self, shown: bool) -> None:
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)

    def _show(self, message: str) -> None:
        self.message.setText(message)
        self.message.show()
        self.ok_button.setEnabled(True)
        self.ok_button.setText("Se connecter")
        self._fit()  # the message in full, the fields at their height

    def done(self, result: int) -> None:
        self.controller.logged_in.disconnect(self._on_logged_in)
        self.controller.failed.disconnect(self._on_failed)
        self.controller.server_change_requested.disconnect(self._on_server_changed)
        self.controller.credentials_rejected.disconnect(self._on_rejected)
        super().done(result)


class ConflictDialog(QDialog):
    """For each field changed both by the Caf and by the partner: Valeur de la Caf / Votre valeur."""

    def __init__(
        self, definition: FormDefinition, conflicts: list[ConflictInfo], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Réponses modifiées par la Caf et par vous")
        self.resize(720, 520)
        intro = QLabel(
            "La Caf a modifié des réponses que vous aviez aussi modifiées. Pour chacune, choisissez la valeur "
            "à garder. Les deux versions restent dans l'historique."
        )
        intro.setWordWrap(True)
        content = QWidget()
        rows = QVBoxLayout(content)
        self.groups: dict[str, QButtonGroup] = {}
        for conflict in conflicts:
            question = definition.question(conflict.question_id)
            box = QGroupBox(question.label)
            box_layout = QVBoxLayout(box)
            group = QButtonGroup(box)
            for index, (label, value) in enumerate(
                (("Valeur de la Caf", conflict.caf_value), ("Votre valeur", conflict.my_value))
            ):
                button = QRadioButton(f"{label} : {answer_text(question, value)}")
                button.setAccessibleName(f"{question.label} — {label}")
                group.addButton(button, index)
                box_layout.addWidget(button)
            group.button(1).setChecked(True)
            self.groups[conflict.question_id] = group
            rows.addWidget(box)
        rows.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        buttons = QDialogButtonBox()
        buttons.addButton("Garder ces choix", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Plus tard", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)

    def choices(self) -> dict[str, str]:
        """Question id -> "caf" or "mine"."""
        return {qid: "caf" if group.checkedId() == 0 else "mine" for qid, group in self.groups.items()}
