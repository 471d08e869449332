"""The reference central server (FastAPI + SQLModel)."""
