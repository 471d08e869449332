"""The list of questionnaires, grouped by campaign, with status, progress and last edit."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from desktop.home_model import UUID_ROLE, ListFilter, ProgressDelegate, QuestionnaireModel
from forms.lifecycle import SEND_FAILED, Badge, Status

SORTS = [  # (label, column, order); column -1: the list's own order (most recently edited first)
    ("Dernière modification", -1, Qt.SortOrder.AscendingOrder),
    ("Nom de l'action (A → Z)", 0, Qt.SortOrder.AscendingOrder),
    ("Statut", 1, Qt.SortOrder.AscendingOrder),
    ("Progression (les moins avancés d'abord)", 2, Qt.SortOrder.AscendingOrder),
    ("Modification la plus ancienne d'abord", 3, Qt.SortOrder.AscendingOrder),
]

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
    points: int = 0  # the « points à voir » still blocking the transmission
    campaign_opens: str = ""  # ISO date: the newest campaign first
    updated_sort: str = ""  # the last edit as ISO text, to sort on
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
    news_dismissed = Signal()
    """« Compris » on the news banner: it may go for good (the store keeps it until then)."""

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
        self.news_close.clicked.connect(self._on_news_close)
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
        self.model = QuestionnaireModel(self)
        self.proxy = ListFilter(self)
        self.proxy.setSourceModel(self.model)
        self.tree = QTreeView()
        self.tree.setModel(self.proxy)
        self.tree.setAccessibleName("Liste des questionnaires")
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)  # 10,000 rows scroll without measuring each
        self.tree.setItemDelegateForColumn(2, ProgressDelegate(self.tree))
        self.tree.setItemsExpandable(False)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._on_context_menu)
        self._menu_uuid = ""
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(2, 230)
        self.tree.activated.connect(self._on_activated)
        self.tree.selectionModel().currentChanged.connect(self._update_buttons)

        # Search, filter by status and sort (the list may hold hundreds of bilans).
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Rechercher une action…")
        self.search_edit.setAccessibleName("Rechercher une action par son nom")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(self._on_search)
        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName("Filtrer par statut")
        self.status_filter.addItem("Tous les statuts", None)
        for badge in [s.badge for s in Status] + [SEND_FAILED]:
            self.status_filter.addItem(badge.label, badge.key)
        self.status_filter.currentIndexChanged.connect(self._on_status_filter)
        self.sort_box = QComboBox()
        self.sort_box.setAccessibleName("Trier la liste")
        for label, _column, _order in SORTS:
            self.sort_box.addItem(f"Trier : {label}")
        self.sort_box.currentIndexChanged.connect(self._on_sort)
        self.filter_row = QWidget()
        filters = QHBoxLayout(self.filter_row)
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addWidget(self.search_edit, 1)
        filters.addWidget(self.status_filter)
        filters.addWidget(self.sort_box)
        self.no_match_label = QLabel("Aucun bilan ne correspond à la recherche.")
        self.no_match_label.setProperty("role", "empty")
        self.no_match_label.hide()

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

        # Tab order: search, status filter, sort, then the list (the list was created first).
        QWidget.setTabOrder(self.search_edit, self.status_filter)
        QWidget.setTabOrder(self.status_filter, self.sort_box)
        QWidget.setTabOrder(self.sort_box, self.tree)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(title)
        layout.addWidget(self.news_row)
        layout.addWidget(self.empty_state, 1)
        layout.addWidget(self.filter_row)
        layout.addWidget(self.no_match_label)
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
        index = self.tree.indexAt(position)
        found = index.data(UUID_ROLE) if index.isValid() else None
        if found:
            self.context_menu(str(found)).exec(self.tree.viewport().mapToGlobal(position))

    def _on_duplicate(self) -> None:
        self.duplicate_requested.emit(self._menu_uuid)

    def _on_start_from(self) -> None:
        self.start_from_requested.emit(self._menu_uuid)

    def show_rows(self, rows: list[Row]) -> None:
        selected = self.selected_uuid()
        self.rows = {r.uuid: r for r in rows}
        self.model.set_rows(rows)
        self.tree.expandAll()
        if selected in self.rows:
            self.select(selected)
        self.empty_state.setVisible(not rows)
        self.empty_button.setVisible(not rows)
        self.filter_row.setVisible(bool(rows))
        self._show_matches()
        self._update_buttons()

    def show_news(self, text: str) -> None:
        """What the syncs brought (statuses, notices, refusals), kept on screen until the user dismisses it."""
        self.news_label.setText(f"Nouvelles de la Caf : {text}")
        self.news_row.setVisible(bool(text))

    def hide_news(self) -> None:
        self.news_row.hide()

    def _on_news_close(self) -> None:
        self.hide_news()
        self.news_dismissed.emit()

    def selected_uuid(self) -> str | None:
        index = self.tree.currentIndex()
        uuid = index.data(UUID_ROLE) if index.isValid() else None
        return str(uuid) if uuid else None

    def select(self, questionnaire_uuid: str) -> None:
        index = self.proxy.mapFromSource(self.model.index_of(questionnaire_uuid))
        if index.isValid():
            self.tree.setCurrentIndex(index)

    def _show_matches(self) -> None:
        """The tree, or « no match » when the search or the filter hides every row."""
        matches = self.proxy.rowCount() > 0
        self.tree.setVisible(bool(self.rows) and matches)
        self.no_match_label.setVisible(bool(self.rows) and not matches)

    def _on_search(self, text: str) -> None:
        self.proxy.set_search(text)
        self._after_filter()

    def _on_status_filter(self, _position: int) -> None:
        self.proxy.set_badge(self.status_filter.currentData())
        self._after_filter()

    def _on_sort(self, position: int) -> None:
        _label, column, order = SORTS[position]
        self.proxy.sort(column, order)
        self.tree.expandAll()

    def _after_filter(self) -> None:
        self.tree.expandAll()
        self._show_matches()
        self._update_buttons()

    def _update_buttons(self, *_args: object) -> None:
        uuid = self.selected_uuid()
        self.open_button.setEnabled(uuid is not None)
        deletable = uuid is not None and uuid in self.rows and self.rows[uuid].deletable
        self.delete_button.setEnabled(deletable)
        self.delete_button.setToolTip(
            "" if deletable or uuid is None else "Un questionnaire déjà transmis ne peut pas être supprimé."
        )

    def _on_activated(self, index: QModelIndex | QPersistentModelIndex) -> None:
        uuid = index.data(UUID_ROLE)
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
