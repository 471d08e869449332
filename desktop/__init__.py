"""The PySide6 desktop app and the command line. The only package that imports Qt."""
