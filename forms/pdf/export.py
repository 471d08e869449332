"""Every bilan at once, into one folder: safe unique file names, progress, and no stop on one failure."""

from __future__ import annotations

import datetime as dt
import errno
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

from forms.pdf.bilan import render_bilan
from forms.pdf.data import bilan_from_store
from forms.registry import FormRegistry
from forms.store import QuestionnaireInfo, Store, StoreError

Progress = Callable[[int, int], None]
MAX_NAME_BYTES = 150  # well under the 255-byte limit of common file systems, room for " (12).pdf"
# Path separators, characters Windows refuses in names, and control characters.
_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)
_ERRNO_FR = {
    errno.EACCES: "permission refusée",
    errno.EPERM: "opération non permise",
    errno.ENOENT: "dossier introuvable",
    errno.ENOSPC: "disque plein",
    errno.EROFS: "support en lecture seule",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.EISDIR: "c'est un dossier",
    errno.ENAMETOOLONG: "nom trop long",
}


class ExportError(Exception):
    """Some bilans could not be written; `written` holds those that were, `failures` (title, reason) the others."""

    def __init__(self, message: str, written: list[Path], failures: list[tuple[str, str]]) -> None:
        super().__init__(message)
        self.written = written
        self.failures = failures


def os_error_message(error: OSError) -> str:
    """A French reason for a file-system error (the OS text is often English)."""
    return _ERRNO_FR.get(error.errno or 0) or error.strerror or str(error)


def safe_file_name(title: str) -> str:
    """A file-name stem from a title: accents kept, no separator or forbidden character, bounded length."""
    text = unicodedata.normalize("NFC", title)
    text = _FORBIDDEN.sub("-", text)
    text = re.sub(r"\s+", " ", text).strip(" .-")
    encoded = text.encode("utf-8")[:MAX_NAME_BYTES]
    text = encoded.decode("utf-8", errors="ignore").rstrip(" .-")
    if not text:
        text = "Action sans titre"
    if _RESERVED.match(text):
        text = f"_{text}"
    return text


def _unique(stem: str, used: set[str]) -> str:
    """`stem`.pdf, or `stem` (2).pdf...: compared case-insensitively, as Windows and macOS do."""
    name, number = f"{stem}.pdf", 1
    while name.casefold() in used:
        number += 1
        name = f"{stem} ({number}).pdf"
    used.add(name.casefold())
    return name


def export_all(
    store: Store,
    out_dir: Path,
    *,
    form_id: str | None = None,
    on_progress: Progress | None = None,
    generated_at: dt.datetime | None = None,
    workers: int = 1,
) -> list[Path]:
    """Write the bilan of every questionnaire (of `form_id` only, if given) into `out_dir`.

    Files of the same name in `out_dir` are replaced. One questionnaire that fails does not stop
    the others: when any failed, ExportError is raised at the end, with what was written.
    Runs wherever it is called (a worker thread in the GUI); `on_progress(done, total)` is called
    on that same thread, first with done = 0. With `workers` > 1 and many bilans, they are rendered
    by a pool of that many processes (each with its own connection to the store), the names chosen
    here beforehand, so that the files are the same as with one process.
    """
    moment = generated_at or dt.datetime.now().astimezone()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(f"Dossier inaccessible : {out_dir} ({os_error_message(error)}).", [], []) from None
    questionnaires = [q for q in store.list() if form_id is None or q.form_id == form_id]
    questionnaires.sort(key=lambda q: (q.title.casefold(), q.created_at))
    total = len(questionnaires)
    if on_progress:
        on_progress(0, total)
    used: set[str] = set()
    written: list[Path] = []
    failures: list[tuple[str, str]] = []
    if workers > 1 and total >= POOL_AT_LEAST:
        _export_in_pool(store, out_dir, questionnaires, moment, workers, on_progress, written, failures)
        questionnaires = []
    for done, info in enumerate(questionnaires, 1):
        try:
            bilan = bilan_from_store(store, info.uuid)
            stem = f"{safe_file_name(info.title)} - bilan {bilan.definition.campaign.school_year}"
            path = out_dir / _unique(stem, used)
            render_bilan(path, bilan, generated_at=moment)
            written.append(path)
        except StoreError as error:
            failures.append((info.title, str(error)))
        except OSError as error:
            failures.append((info.title, f"écriture impossible ({os_error_message(error)})"))
        except Exception as error:  # one odd questionnaire must not stop the others
            failures.append((info.title, f"erreur inattendue ({type(error).__name__} : {error})"))
        if on_progress:
            on_progress(done, total)
    if failures:
        details = " ; ".join(f"« {title} » : {reason}" for title, reason in failures)
        raise ExportError(
            f"{len(failures)} bilan(s) sur {total} n'ont pas pu être produits ({len(written)} écrits). {details}",
            written,
            failures,
        )
    return written


POOL_AT_LEAST = 16  # below, starting the processes costs more than it saves


def _export_in_pool(
    store: Store,
    out_dir: Path,
    questionnaires: list[QuestionnaireInfo],
    moment: dt.datetime,
    workers: int,
    on_progress: Progress | None,
    written: list[Path],
    failures: list[tuple[str, str]],
) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    used: set[str] = set()
    targets: dict[str, tuple[QuestionnaireInfo, Path]] = {}
    for info in questionnaires:  # names first, in title order, exactly as the one-process path
        try:
            year = store.definition(info.uuid).campaign.school_year
        except StoreError as error:
            failures.append((info.title, str(error)))
            continue
        targets[info.uuid] = (info, out_dir / _unique(f"{safe_file_name(info.title)} - bilan {year}", used))
    total, done = len(questionnaires), len(failures)
    if on_progress and done:
        on_progress(done, total)
    # spawn, not fork: the caller may be a GUI thread or hold SQLite connections.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_open_worker, initargs=(store.path, store.registry)
    ) as pool:
        futures = {pool.submit(_render_one, uuid, path, moment): uuid for uuid, (_info, path) in targets.items()}
        outcomes: dict[str, str | None] = {}
        for future in as_completed(futures):
            uuid = futures[future]
            try:
                outcomes[uuid] = future.result()
            except Exception as error:  # a worker that died: that bilan fails, not the others
                outcomes[uuid] = f"erreur inattendue ({type(error).__name__} : {error})"
            done += 1
            if on_progress:
                on_progress(done, total)
    for uuid, (info, path) in targets.items():  # the written list in title order, as the one-process path
        reason = outcomes.get(uuid)
        if reason is None:
            written.append(path)
        else:
            failures.append((info.title, reason))


_worker_store: Store | None = None


def _open_worker(db_path: Path, registry: FormRegistry) -> None:
    global _worker_store  # noqa: PLW0603 - one store per worker process, opened once
    _worker_store = Store(db_path, registry)


def _render_one(questionnaire_uuid: str, path: Path, moment: dt.datetime) -> str | None:
    """In a worker: render one bilan; None when written, else the French reason."""
    assert _worker_store is not None
    try:
        render_bilan(path, bilan_from_store(_worker_store, questionnaire_uuid), generated_at=moment)
    except StoreError as error:
        return str(error)
    except OSError as error:
        return f"écriture impossible ({os_error_message(error)})"
    except Exception as error:  # noqa: BLE001 - one odd questionnaire must not stop the others
        return f"erreur inattendue ({type(error).__name__} : {error})"
    return None
