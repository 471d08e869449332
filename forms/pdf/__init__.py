"""PDF bilans printed locally (reportlab platypus): the bilan, the transmission receipt, bulk export.

Pure Python: no Qt, no network. Everything printed comes from a `BilanData` snapshot.
"""

from forms.pdf.bilan import render_bilan
from forms.pdf.data import BilanData, bilan_from_store
from forms.pdf.export import ExportError, export_all, safe_file_name
from forms.pdf.receipt import render_receipt

__all__ = [
    "BilanData",
    "ExportError",
    "bilan_from_store",
    "export_all",
    "render_bilan",
    "render_receipt",
    "safe_file_name",
]
