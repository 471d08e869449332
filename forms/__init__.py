"""The questionnaire domain, pure Python: definitions, conditions, validation, progress, store, PDF.

Never imports Qt, requests or sync (a test enforces it).
"""
