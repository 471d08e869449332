"""Widgets that fit any width: a label that elides its text (the full text in its tooltip) and check
boxes / radio buttons whose label wraps onto several lines, so that no content sets a window's minimum
width (a long action name or choice label on a 1024-px screen, or at 150 % text scaling)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QLabel,
    QRadioButton,
    QSizePolicy,
    QStyle,
    QStyleOptionButton,
    QStylePainter,
    QWidget,
)

_WRAP = Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
MIN_CHARS = 10
"""A wrapping label never asks for less than this many average characters of width."""


class ElidedLabel(QLabel):
    """One line, cut with « … » when too narrow; text() stays the full text, shown in the tooltip."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt API)
        super().setText(text)
        self.setToolTip(text)
        self.setAccessibleName(text)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(self.fontMetrics().averageCharWidth() * MIN_CHARS, super().minimumSizeHint().height())

    def is_elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        painter = QPainter(self)
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), shown)


class _Wrapping:
    """Shared by the two button kinds: the indicator is the style's, the label is drawn word-wrapped."""

    _indicator: QStyle.SubElement
    _spacing: QStyle.PixelMetric
    _control: QStyle.ControlElement

    def _option(self: QAbstractButton) -> QStyleOptionButton:  # type: ignore[misc]
        option = QStyleOptionButton()
        self.initStyleOption(option)  # type: ignore[attr-defined]
        return option

    def _text_left(self: QAbstractButton) -> int:  # type: ignore[misc]
        option = self._option()  # type: ignore[attr-defined]
        indicator = self.style().subElementRect(self._indicator, option, self)  # type: ignore[attr-defined]
        return indicator.right() + 1 + self.style().pixelMetric(self._spacing, option, self)  # type: ignore[attr-defined]

    def _indicator_height(self: QAbstractButton) -> int:  # type: ignore[misc]
        return self.style().subElementRect(self._indicator, self._option(), self).height() + 4  # type: ignore[attr-defined]

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt API)
        return True

    def heightForWidth(self: QAbstractButton, width: int) -> int:  # type: ignore[misc]  # noqa: N802 (Qt API)
        available = max(1, width - self._text_left())  # type: ignore[attr-defined]
        text = self.fontMetrics().boundingRect(QRect(0, 0, available, 100_000), int(_WRAP), self.text())
        return max(self._indicator_height(), text.height() + 4)  # type: ignore[attr-defined]

    def sizeHint(self: QAbstractButton) -> QSize:  # type: ignore[misc]  # noqa: N802 (Qt API)
        natural = self._text_left() + self.fontMetrics().horizontalAdvance(self.text()) + 2  # type: ignore[attr-defined]
        width = min(natural, self._text_left() + self.fontMetrics().averageCharWidth() * 60)  # type: ignore[attr-defined]
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self: QAbstractButton) -> QSize:  # type: ignore[misc]  # noqa: N802 (Qt API)
        natural = self._text_left() + self.fontMetrics().horizontalAdvance(self.text()) + 2  # type: ignore[attr-defined]
        width = min(natural, self._text_left() + self.fontMetrics().averageCharWidth() * MIN_CHARS)  # type: ignore[attr-defined]
        return QSize(width, self._indicator_height())  # type: ignore[attr-defined]

    def hitButton(self: QAbstractButton, pos: QPoint) -> bool:  # type: ignore[misc]  # noqa: N802 (Qt API)
        return self.rect().contains(pos)  # the whole wrapped label is clickable, as a normal label is

    def paintEvent(self: QAbstractButton, _event: QPaintEvent) -> None:  # type: ignore[misc]  # noqa: N802 (Qt API)
        painter = QStylePainter(self)
        option = self._option()  # type: ignore[attr-defined]
        option.text = ""
        painter.drawControl(self._control, option)  # type: ignore[attr-defined]
        left = self._text_left()  # type: ignore[attr-defined]
        rect = self.rect().adjusted(left, 0, 0, 0)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(rect, int(_WRAP), self.text())
        if self.hasFocus():  # the focus frame around the text, as the style draws it for one line
            focus = self.fontMetrics().boundingRect(rect, int(_WRAP), self.text()).adjusted(-2, -1, 2, 1)
            painter.setPen(self.palette().color(self.foregroundRole()))
            painter.drawRect(focus)


def _height_for_width(widget: QWidget) -> None:
    policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
    policy.setHeightForWidth(True)
    widget.setSizePolicy(policy)


class WrappingCheckBox(_Wrapping, QCheckBox):
    _indicator = QStyle.SubElement.SE_CheckBoxIndicator
    _spacing = QStyle.PixelMetric.PM_CheckBoxLabelSpacing
    _control = QStyle.ControlElement.CE_CheckBox

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        _height_for_width(self)


class WrappingRadioButton(_Wrapping, QRadioButton):
    _indicator = QStyle.SubElement.SE_RadioButtonIndicator
    _spacing = QStyle.PixelMetric.PM_RadioButtonLabelSpacing
    _control = QStyle.ControlElement.CE_RadioButton

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        _height_for_width(self)
