"""The client process of the kill -9 test: one synchronisation with the real Store and Synchroniser.

    python -m tests.sync.sync_child DATA_DIR SERVER_URL     (token in BILAN_CLAS_TEST_TOKEN)

It prints a line when it starts and at each step of the sync (flushed), so the parent can kill it
at a moment it picks by reading stdout; exit 0 when the sync ran to its end, 4 when the network
interrupted it.
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

from forms.registry import FormRegistry
from forms.store import Store
from sync.batch import BatchSynchroniser
from sync.client import SyncClient
from sync.engine import Backoff, Synchroniser
from sync.errors import Transient

TEST_FORMS = Path(__file__).resolve().parents[1] / "data" / "forms"


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def main(data_dir: str, server_url: str) -> int:
    store = Store.open(Path(data_dir), FormRegistry.load(TEST_FORMS))
    client = SyncClient(server_url, token=os.environ["BILAN_CLAS_TEST_TOKEN"], timeout=(5.0, 30.0))
    kind = BatchSynchroniser if os.environ.get("BILAN_CLAS_TEST_BATCH") else Synchroniser
    sync = kind(store, client, backoff=Backoff(base=0.001, cap=0.01, rng=random.Random(0)), sleep=lambda _: None)
    say("started")
    try:
        result = sync.run(report=lambda done, total, text: say(f"{done}/{total} {text}"))
    except Transient as error:
        say(f"interrupted: {error}")
        return 4
    finally:
        client.close()
        store.close()
    say(f"done: {result.text()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
