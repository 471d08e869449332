"""The list of questionnaires as a Qt item model: campaigns, then their questionnaires, no widget per row.

`QuestionnaireModel` holds the rows (two levels: a campaign, its questionnaires); `ListFilter`
searches titles, filters by the shown status and sorts within each campaign, campaigns staying
newest first. `ProgressDelegate` paints « n / N pages complètes » beside a slim progress bar.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from desktop.theme import ACCENT

if TYPE_CHECKING:
    from desktop.home import Row

HEADERS = ["Action", "Statut", "Progression", "Dernière modification"]
UUID_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
BADGE_KEY_ROLE = Qt.ItemDataRole.UserRole + 2
PROGRESS_ROLE = Qt.ItemDataRole.UserRole + 3  # (complete, total)

AnyIndex = QModelIndex | QPersistentModelIndex
_NO_GROUP = 0  # internalId of a campaign (top-level) index; a questionnaire's is its campaign's row + 1


class QuestionnaireModel(QAbstractItemModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._groups: list[str] = []
        self._children: list[list[Row]] = []

    def set_rows(self, rows: list[Row]) -> None:
        """Rows in list order; a campaign's group appears where its first row does."""
        self.beginResetModel()
        groups: dict[str, list[Row]] = {}
        for row in rows:
            groups.setdefault(row.campaign, []).append(row)
        self._groups = list(groups)
        self._children = list(groups.values())
        self.endResetModel()

    def row_at(self, index: AnyIndex) -> Row | None:
        if not index.isValid() or index.internalId() == _NO_GROUP:
            return None
        return self._children[index.internalId() - 1][index.row()]

    def index_of(self, questionnaire_uuid: str) -> QModelIndex:
        for group, children in enumerate(self._children):
            for position, row in enumerate(children):
                if row.uuid == questionnaire_uuid:
                    return self.createIndex(position, 0, group + 1)
        return QModelIndex()

    # --- QAbstractItemModel -------------------------------------------------------------------

    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _NO_GROUP)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, child: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not child.isValid() or child.internalId() == _NO_GROUP:
            return QModelIndex()
        return self.createIndex(child.internalId() - 1, 0, _NO_GROUP)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008 (Qt API)
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() == _NO_GROUP and parent.column() == 0:
            return len(self._children[parent.row()])
        return 0

    def columnCount(self, _parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008 (Qt API)
        return len(HEADERS)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if index.internalId() == _NO_GROUP:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        column = index.column()
        if index.internalId() == _NO_GROUP:
            campaign = self._groups[index.row()]
            if column == 0 and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                window = self._children[index.row()][0].window  # one definition, one window per group
                return f"{campaign} · {window}" if window else campaign
            if column == 0 and role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if column and role == Qt.ItemDataRole.AccessibleTextRole:  # under the spanned heading: never nameless
                n = len(self._children[index.row()])
                return f"{n} bilan{'s' if n > 1 else ''} dans cette campagne"
            if role == SORT_ROLE:
                return index.row()
            return None
        row = self._children[index.internalId() - 1][index.row()]
        badge = row.badge or row.status.badge
        progress = f"{row.pages_complete} / {row.pages_total} pages complètes"
        if role == UUID_ROLE:
            return row.uuid
        if role == Qt.ItemDataRole.DisplayRole:
            return (row.title, badge.label, progress, row.updated)[column]
        if role == Qt.ItemDataRole.AccessibleTextRole:
            if column == 2:
                return f"Progression : {row.pages_complete} pages complètes sur {row.pages_total}"
            # the row's first cell says its title and its state: a screen reader moving down the list hears both
            return (f"{row.title}, {badge.label}", f"Statut : {badge.label}", progress, f"Modifié le {row.updated}")[
                column
            ]
        if role == Qt.ItemDataRole.ToolTipRole and column == 0:
            return row.title
        if role == Qt.ItemDataRole.BackgroundRole and column == 1:
            return QBrush(QColor(badge.background))
        if role == Qt.ItemDataRole.ForegroundRole and column == 1:
            return QBrush(QColor(badge.text))
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 1:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == BADGE_KEY_ROLE:
            return badge.key
        if role == PROGRESS_ROLE:
            return (row.pages_complete, row.pages_total)
        if role == SORT_ROLE:
            ratio = row.pages_complete / row.pages_total if row.pages_total else 0.0
            return (row.title.casefold(), badge.label, ratio, row.updated_sort or row.updated)[column]
        return None


class ListFilter(QSortFilterProxyModel):
    """Search in titles, one shown status (badge key) or all; campaigns keep their order when sorting."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._badge_key: str | None = None
        self.setRecursiveFilteringEnabled(True)
        self.setSortRole(SORT_ROLE)

    def set_search(self, text: str) -> None:
        self._text = text.strip().casefold()
        self.invalidate()  # invalidateFilter() is deprecated in Qt 6.10

    def set_badge(self, key: str | None) -> None:
        self._badge_key = key
        self.invalidate()  # invalidateFilter() is deprecated in Qt 6.10

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:  # noqa: N802 (Qt API)
        if not source_parent.isValid():
            return False  # a campaign shows when one of its questionnaires does (recursive filtering)
        index = self.sourceModel().index(source_row, 0, source_parent)
        if self._badge_key is not None and index.data(BADGE_KEY_ROLE) != self._badge_key:
            return False
        return not self._text or self._text in str(index.data(Qt.ItemDataRole.DisplayRole)).casefold()

    def lessThan(self, left: AnyIndex, right: AnyIndex) -> bool:  # noqa: N802 (Qt API)
        if not left.parent().isValid():  # campaigns: newest first whatever the order asked for the rows
            before = left.row() < right.row()
            return before if self.sortOrder() == Qt.SortOrder.AscendingOrder else not before
        return bool(left.data(SORT_ROLE) < right.data(SORT_ROLE))


class ProgressDelegate(QStyledItemDelegate):
    """« n / N pages complètes » as a slim bar with its text beside it (no widget per row).

    The bar and the text never overlap: a row of the list is one text line high, too low for a
    progress bar with its text inside (the text ran over the bar's border).
    """

    BAR_WIDTH = 64
    BAR_HEIGHT = 6

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        progress = index.data(PROGRESS_ROLE)
        if progress is None:
            super().paint(painter, option, index)
            return
        complete, total = progress
        cell = QStyleOptionViewItem(option)
        self.initStyleOption(cell, index)
        cell.text = ""  # type: ignore[attr-defined]
        widget = option.widget  # type: ignore[attr-defined]
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, cell, painter, widget)  # background, selection
        area = option.rect.adjusted(4, 0, -4, 0)  # type: ignore[attr-defined]
        width = min(self.BAR_WIDTH, max(0, area.width() // 3))
        bar = QRect(area.left(), area.center().y() - self.BAR_HEIGHT // 2, width, self.BAR_HEIGHT)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        palette = option.palette  # type: ignore[attr-defined]
        ink = palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(255, 255, 255, 90) if selected else QColor("#dfe5ec"))
        painter.drawRoundedRect(bar, 3, 3)
        if total and complete:
            painter.setBrush(ink if selected else QColor(ACCENT))
            painter.drawRoundedRect(
                QRect(bar.left(), bar.top(), round(width * min(complete, total) / total), bar.height()), 3, 3
            )
        text_area = area.adjusted(width + 8, 0, 0, 0)
        text = painter.fontMetrics().elidedText(
            str(index.data(Qt.ItemDataRole.DisplayRole)), Qt.TextElideMode.ElideRight, text_area.width()
        )
        painter.setPen(ink)
        painter.drawText(text_area, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)
        painter.restore()
