"""Kept for imports written before forms/lifecycle.py: the statuses live there now."""

from forms.lifecycle import EDITABLE, Status

__all__ = ["EDITABLE", "Status"]
