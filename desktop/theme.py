"""Colours and styles used everywhere: the same status colours in the list, the form and the dialogs."""

from __future__ import annotations

from forms.lifecycle import Badge, Status

# Status badge: (background, text), owned by forms/lifecycle.py (the same colours in the console).
STATUS_COLOURS: dict[Status, tuple[str, str]] = {s: (s.badge.background, s.badge.text) for s in Status}

# Page progress, as on Espada: red not started, orange partial, green complete. Keyed by
# forms.evaluation.Progress values (a StrEnum), without importing the engine at start-up.
PROGRESS_COLOURS: dict[str, str] = {
    "not_started": "#c62828",
    "partial": "#ef8c00",
    "complete": "#2e7d32",
}

ERROR_COLOUR = "#b3261e"
ADVICE_COLOUR = "#8a5300"
NOTICE_BACKGROUND = "#fff4d6"
ACCENT = "#1f5fa8"

STYLESHEET = f"""
QLabel[role="page-title"] {{ font-size: 17pt; font-weight: 600; color: #1b2b40; }}
QLabel[role="section"] {{ font-size: 12pt; font-weight: 600; color: {ACCENT}; padding-top: 10px; }}
QLabel[role="question"] {{ font-weight: 600; }}
QLabel[role="help-text"] {{ color: #50575f; }}
QLabel[role="error"] {{ color: {ERROR_COLOUR}; }}
QLabel[role="advice"] {{ color: {ADVICE_COLOUR}; }}
QLabel[role="statement"] {{ font-weight: 700; color: {ERROR_COLOUR}; }}
QLabel[role="notice"] {{
    background: {NOTICE_BACKGROUND}; border: 1px solid #e0b84a; border-radius: 4px; padding: 6px;
}}
QLabel[role="locked"] {{
    background: #e8f0fa; border: 1px solid #9bb3d1; border-radius: 4px; padding: 6px; color: #0d2747;
}}
QLabel[role="saved"] {{ color: #2e7d32; }}
QLabel[role="empty"] {{ color: #50575f; font-size: 12pt; }}
QFrame[role="question-card"] {{ background: white; border: 1px solid #d7dce2; border-radius: 6px; }}
QFrame[role="matrix-band"] {{ background: #f1f4f8; border-radius: 3px; }}
QFrame[role="question-card"][state="error"] {{ border: 2px solid {ERROR_COLOUR}; }}
QLineEdit:read-only, QPlainTextEdit[readOnly="true"] {{ background: #f3f4f6; }}
QRadioButton:disabled, QCheckBox:disabled {{ color: #2b2b2b; }}
QListWidget#page-navigator::item {{ padding: 7px 4px; border-bottom: 1px solid #eceff3; color: #1b2b40; }}
QListWidget#page-navigator::item:selected {{ background: #d6e4f5; color: #0d2747; font-weight: 600; }}
QTreeWidget::item {{ padding: 5px 2px; }}
QTreeWidget::item:selected {{ background: #d6e4f5; color: #0d2747; }}
QPushButton#primary {{ background: {ACCENT}; color: white; font-weight: 600; padding: 6px 14px; border-radius: 4px; }}
QPushButton#link {{ color: {ACCENT}; text-decoration: underline; border: none; padding: 0; }}
QPushButton#primary:disabled {{ background: #9bb3d1; }}
"""


def badge_style(badge: Badge) -> str:
    return (
        f"background: {badge.background}; color: {badge.text}; border-radius: 9px; padding: 2px 10px; font-weight: 600;"
    )
