"""Every piece of text a person (or a screen reader) can meet in a widget tree."""

from __future__ import annotations

import re
from collections.abc import Iterator

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QTabWidget,
    QTreeView,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

# Words of an English interface, as buttons, titles and menus write them (case-sensitive: French
# "file d'envoi" is not the English "File"). "&" accelerators are removed before matching.
ENGLISH = re.compile(
    r"\b(Cancel|OK|Ok|Save|Open|Yes|No|Error|Warning|File|Files|Help|Close|Delete|Remove|Browse|Loading|Next|"
    r"Previous|Back|Settings|Edit|Undo|Redo|Cut|Copy|Paste|Select All|Submit|Apply|Retry|Abort|Ignore|Please|"
    r"Search|Name|Size|Date Modified|Details|Untitled|Look in|Directory|Folder|New Folder|Show|Hide|Discard|"
    r"Reset|Restore Defaults|Critical)\b"
)


def _item_texts(item: QTreeWidgetItem, columns: int) -> Iterator[str]:
    for column in range(columns):
        yield item.text(column)
        yield item.toolTip(column)
    for index in range(item.childCount()):
        yield from _item_texts(item.child(index), columns)


def _model_texts(model: QAbstractItemModel, parent: QModelIndex) -> Iterator[str]:
    for row in range(model.rowCount(parent)):
        for column in range(model.columnCount(parent)):
            index = model.index(row, column, parent)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
                yield str(index.data(role) or "")
        yield from _model_texts(model, model.index(row, 0, parent))


def _ours(model: QAbstractItemModel | None) -> bool:
    """A model of the app's (a file dialog's file system model is Qt's own)."""
    source = model.sourceModel() if isinstance(model, QSortFilterProxyModel) else model
    return source is not None and type(source).__module__.startswith("desktop.")


def _own_texts(widget: QWidget) -> Iterator[str]:
    yield widget.windowTitle()
    yield widget.toolTip()
    yield widget.statusTip()
    yield widget.whatsThis()
    yield widget.accessibleName()
    yield widget.accessibleDescription()
    if isinstance(widget, QLabel):
        yield widget.text()
    if isinstance(widget, QAbstractButton):
        yield widget.text()
    if isinstance(widget, QLineEdit | QPlainTextEdit):
        yield widget.placeholderText()
    if isinstance(widget, QComboBox):
        yield from (widget.itemText(i) for i in range(widget.count()))
    if isinstance(widget, QListWidget):
        for row in range(widget.count()):
            item = widget.item(row)
            yield item.text()
            yield item.toolTip()
            yield str(item.data(Qt.ItemDataRole.AccessibleTextRole) or "")
    if isinstance(widget, QTreeWidget):
        header = widget.headerItem()
        yield from (header.text(c) for c in range(header.columnCount()))
        root = widget.invisibleRootItem()
        yield from _item_texts(root, widget.columnCount())
    if isinstance(widget, QTreeView) and _ours(widget.model()):
        model = widget.model()
        yield from (str(model.headerData(c, Qt.Orientation.Horizontal) or "") for c in range(model.columnCount()))
        yield from _model_texts(model, QModelIndex())
    if isinstance(widget, QProgressBar):
        yield widget.text()
    if isinstance(widget, QGroupBox):
        yield widget.title()
    if isinstance(widget, QTabWidget):
        yield from (widget.tabText(i) for i in range(widget.count()))
    for action in widget.actions():
        yield from (action.text(), action.toolTip(), action.statusTip())


def texts(root: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for `root`, every widget under it (shown or not) and every action."""
    for widget in [root, *root.findChildren(QWidget)]:
        where = f"{type(widget).__name__} {widget.objectName()}".strip()
        for text in _own_texts(widget):
            if text:
                yield where, text
    for action in root.findChildren(QAction):
        for text in (action.text(), action.toolTip(), action.statusTip()):
            if text:
                yield "QAction", text


def english(root: QWidget) -> list[tuple[str, str]]:
    """The texts under `root` that contain an English interface word."""
    return [(where, text) for where, text in texts(root) if ENGLISH.search(text.replace("&", ""))]
