"""The list of questionnaires, grouped by campaign, with status, progress and last edit."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from forms.lifecycle import Badge, Status

EMPTY_TEXT = (
    "Aucun bilan pour l'instant.\n"
    "Cliquez sur « Nouvelle action » pour commencer le bilan d'une action Clas : "
    "tout ce que vous saisissez est enregistré au fur et à mesure sur cet ordinateur."
)


@dataclass(frozen=True)
class Row:
    """What the list shows of one questionnaire (computed by the main window from the store)."""

    uuid: str
    title: str
    campaign: str
    status: Status
    pages_complete: int
    pages_total: int
    updated: str
    deletable: bool
    badge: Badge | None = None  # what is shown (« Échec d'envoi » included); the status's own by default
    window: str = ""  # « Campagne ouverte jusqu'au … » (forms.campaign), shown with the campaign's heading


class HomeView(QWidget):
    open_requested = Signal(str)
    """Open a questionnaire; carries its uuid."""
    delete_requested = Signal(str)
    """Delete a draft; carries its uuid."""
    new_requested = Signal()
    """Create a new action."""
    duplicate_requested = Signal(str)
    """Duplicate an action within its campaign; carries the uuid of the one to copy."""
    start_from_requested = Signal(str)
    """Start a new bilan from this one (« Reprendre les réponses d'un bilan précédent »); carries its uuid."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("Mes bilans Clas")
        title.setProperty("role", "page-title")
        self.news_label = QLabel()
        self.news_label.setProperty("role", "notice")
        self.news_label.setWordWrap(True)
        self.news_label.setTextFormat(Qt.TextFormat.PlainText)
        self.news_label.setAccessibleName("Nouvelles de la Caf")
        self.news_close = QPushButton("Compris")
        self.news_close.clicked.connect(self.hide_news)
        self.news_row = QWidget()
        news_layout = QHBoxLayout(self.news_row)
        news_layout.setContentsMargins(0, 0, 0, 0)
        news_layout.addWidget(self.news_label, 1)
        news_layout.addWidget(self.news_close)
        self.news_row.hide()
        self.empty_label = QLabel(EMPTY_TEXT)
        self.empty_label.setProperty("role", "empty")
        self.empty_label.setWordWrap(True)
        self.empty_button = QPushButton("Commencer un bilan : nouvelle action…")
        self.empty_button.setObjectName("primary")
        self.empty_button.clicked.connect(self.new_requested)
        # First start: the explanation and its button under the title, not spread over the window.
        self.empty_state = QWidget()
        empty_layout = QVBoxLayout(self.empty_state)
        empty_layout.setContentsMargins(0, 12, 0, 0)
        empty_layout.setSpacing(16)
        empty_layout.addWidget(self.empty_label)
        empty_layout.addWidget(self.empty_button, 0, Qt.AlignmentFlag.AlignLeft)
        empty_layout.addStretch(1)
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Liste des questionnaires")
        self.tree.setHeaderLabels(["Action", "Statut", "Progression", "Dernière modification"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._on_context_menu)
        self._menu_uuid = ""
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(2, 230)
        self.tree.itemActivated.connect(self._on_activated)
        self.tree.currentItemChanged.connect(self._update_buttons)

        self.new_button = QPushButton("Nouvelle action…")
        self.open_button = QPushButton("Ouvrir")
        self.delete_button = QPushButton("Supprimer le brouillon…")
        self.new_button.clicked.connect(self.new_requested)
        self.open_button.clicked.connect(self._on_open)
        self.delete_button.clicked.connect(self._on_delete)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.delete_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(title)
        layout.addWidget(self.news_row)
        layout.addWidget(self.empty_state, 1)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        self.rows: dict[str, Row] = {}
        self.show_rows([])
        self.empty_button.hide()  # until the data is loaded (« Chargement… » meanwhile)

    def context_menu(self, questionnaire_uuid: str) -> QMenu:
        """The row's menu: duplicate the action, or start a new bilan from it."""
        self._menu_uuid = questionnaire_uuid
        menu = QMenu(self)
        menu.addAction("Dupliquer l'action…", self._on_duplicate)
        menu.addAction("Nouveau bilan à partir de celui-ci…", self._on_start_from)
        return menu

    def _on_context_menu(self, position: QPoint) -> None:
        item = self.tree.itemAt(position)
        found = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        if found:
            self.context_menu(found).exec(self.tree.viewport().mapToGlobal(position))

    def _on_duplicate(self) -> None:
        self.duplicate_requested.emit(self._menu_uuid)

    def _on_start_from(self) -> None:
        self.start_from_requested.emit(self._menu_uuid)

    def show_rows(self, rows: list[Row]) -> None:
        selected = self.selected_uuid()
        self.rows = {r.uuid: r for r in rows}
        self.tree.clear()
        groups: dict[str, QTreeWidgetItem] = {}
        for row in rows:
            group = groups.get(row.campaign)
            if group is None:
                group = QTreeWidgetItem([f"{row.campaign} · {row.window}" if row.window else row.campaign])
                group.setFirstColumnSpanned(True)
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)
                font = group.font(0)
                font.setBold(True)
                group.setFont(0, font)
                self.tree.addTopLevelItem(group)
                group.setFirstColumnSpanned(True)
                groups[row.campaign] = group
            badge = row.badge or row.status.badge
            item = QTreeWidgetItem([row.title, badge.label, "", row.updated])
            item.setData(0, Qt.ItemDataRole.UserRole, row.uuid)
            item.setBackground(1, QBrush(QColor(badge.background)))
            item.setForeground(1, QBrush(QColor(badge.text)))
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignCenter)
            item.setToolTip(0, row.title)
            group.addChild(item)
            bar = QProgressBar()
            bar.setMaximumHeight(22)
            bar.setRange(0, row.pages_total)
            bar.setValue(row.pages_complete)
            bar.setFormat(f"{row.pages_complete} / {row.pages_total} pages complètes")
            bar.setAccessibleName(f"Progression : {row.pages_complete} pages complètes sur {row.pages_total}")
            self.tree.setItemWidget(item, 2, bar)
            if row.uuid == selected:
                self.tree.setCurrentItem(item)
        self.tree.expandAll()
        self.empty_state.setVisible(not rows)
        self.empty_button.setVisible(not rows)
        self.tree.setVisible(bool(rows))
        self._update_buttons()

    def show_news(self, text: str) -> None:
        """What the last sync brought (statuses, notices), kept on screen until the user dismisses it."""
        self.news_label.setText(f"Nouvelles de la Caf : {text}")
        self.news_row.show()

    def hide_news(self) -> None:
        self.news_row.hide()

    def selected_uuid(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def select(self, questionnaire_uuid: str) -> None:
        for group_index in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(group_index)
            for child_index in range(group.childCount() if group is not None else 0):
                child = group.child(child_index)  # type: ignore[union-attr]
                if child is not None and child.data(0, Qt.ItemDataRole.UserRole) == questionnaire_uuid:
                    self.tree.setCurrentItem(child)

    def _update_buttons(self, *_args: object) -> None:
        uuid = self.selected_uuid()
        self.open_button.setEnabled(uuid is not None)
        deletable = uuid is not None and self.rows[uuid].deletable
        self.delete_button.setEnabled(deletable)
        self.delete_button.setToolTip(
            "" if deletable or uuid is None else "Un questionnaire déjà transmis ne peut pas être supprimé."
        )

    def _on_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        uuid = item.data(0, Qt.ItemDataRole.UserRole)
        if uuid:
            self.open_requested.emit(uuid)

    def _on_open(self) -> None:
        uuid = self.selected_uuid()
        if uuid:
            self.open_requested.emit(uuid)

    def _on_delete(self) -> None:
        uuid = self.selected_uuid()
        if uuid:
            self.delete_requested.emit(uuid)
