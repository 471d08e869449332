"""The push through the batch call (POST /sync/push): up to 50 transmissions a request.

The same rules as the single PUT (sync/engine.py), item by item: each item keeps its version id as
its idempotency key and its frozen body, byte for byte, on every attempt; its attachments are
uploaded before the request that carries it (the chunk's documents in parallel); a questionnaire
has at most one version in a request (the next one goes once this one's outcome is known). A
whole request whose outcome is unknown (network, 5xx, a broken reply) is retried with the same
items, keys and bodies; an item answered with a transient status is retried in the next request; a
refusal is kept with the server's reason; a stale base is settled as with the PUT.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from forms.store.outbox import OutboxItem
from sync.client import item_receipt
from sync.engine import Synchroniser, SyncResult
from sync.errors import AuthRequired, BatchUnsupported, Offline, Refused, StaleBase, Transient
from sync.protocol import ID_TAKEN, MAX_PUSH_ITEMS, VersionAccepted


class BatchSynchroniser(Synchroniser):
    """A Synchroniser whose push goes by batches; pull, forms and everything else unchanged."""

    batch_size = MAX_PUSH_ITEMS
    no_batch_call = False  # set when the server answers that it has no batch call
    upload_workers = 4  # documents uploaded at once before a request (each its own connection)

    def _send_chunk(self, chunk: list[OutboxItem], result: SyncResult) -> set[str]:
        """Send `chunk` in one request; return the op ids postponed to a later run."""
        if self.no_batch_call:
            taken, postponed = list(chunk), set()
        else:
            taken = []
            postponed = self._push_chunk(chunk, result, taken)
        # An id another organisation holds (the single path re-keys the questionnaire and sends again),
        # or a server without the batch call: one PUT per version.
        for item in taken:
            if not self._send(item, result):
                postponed.add(item.op_id)
        return postponed

    def _push_chunk(self, chunk: list[OutboxItem], result: SyncResult, taken: list[OutboxItem]) -> set[str]:
        pending: list[OutboxItem] = []
        uploads = self._upload_chunk(chunk)
        for item, upload in zip(chunk, uploads, strict=True):
            try:
                if upload is not None:
                    raise upload  # what the single path would have raised for this item, in order
            except Refused as refusal:
                if refusal.code == ID_TAKEN:
                    taken.append(item)
                    continue
                self.outbox.mark_refused(item.op_id, code=refusal.code, message=str(refusal))
                result.refused.append((item.questionnaire_uuid, str(refusal)))
                continue
            except Offline as error:
                for waiting in [item, *chunk[chunk.index(item) + 1 :], *pending]:
                    self._postpone(waiting, error, 0)
                result.deferred += len(pending) + len(chunk) - chunk.index(item)
                raise
            except Transient as error:
                self._postpone(item, error, 0)
                result.deferred += 1
                continue
            pending.append(item)
        for attempt in range(self.attempts_per_run):
            if not pending:
                return set()
            try:
                replies = self.client.push_batch([(i.questionnaire_uuid, i.op_id, i.body.encode()) for i in pending])
            except BatchUnsupported:
                self.no_batch_call = True  # for the rest of this run: one PUT per version, the same rules
                taken.extend(pending)  # the single path sends them (and re-keys a taken id)
                return set()
            except Offline as error:
                for item in pending:
                    self._postpone(item, error, attempt)
                result.deferred += len(pending)
                raise  # the server is out of reach: stop this sync, nothing is lost
            except Transient as error:
                if not self._wait(pending, error, attempt):
                    result.deferred += len(pending)
                    return {i.op_id for i in pending}
                continue
            retry: list[OutboxItem] = []
            receipts: list[VersionAccepted] = []
            stale: list[tuple[OutboxItem, StaleBase]] = []
            last_error: Transient | None = None
            for item, reply in zip(pending, replies, strict=True):
                try:
                    accepted = item_receipt(reply)
                except AuthRequired:
                    raise
                except StaleBase as conflict:
                    stale.append((item, conflict))
                    continue
                except Refused as refusal:
                    if refusal.code == ID_TAKEN:
                        taken.append(item)
                        continue
                    self.outbox.mark_refused(item.op_id, code=refusal.code, message=str(refusal))
                    result.refused.append((item.questionnaire_uuid, str(refusal)))
                    continue
                except Transient as error:
                    retry.append(item)
                    last_error = error
                    continue
                receipts.append(accepted)
            # Every receipt of the request in one local transaction. A crash before it commits leaves
            # them pending: the next sync sends them again under the same keys, and the server replays.
            self.outbox.mark_sent_many([(str(a.version_id), a.server_rev, a.state) for a in receipts])
            self._note_own_changes(receipts)
            result.sent += len(receipts)
            for item, refused_stale in stale:  # after the receipts: settling pulls the feed, which holds them
                self._settle_stale(item, refused_stale, result)
            pending = retry
            if pending and last_error is not None and not self._wait(pending, last_error, attempt):
                result.deferred += len(pending)
                return {i.op_id for i in pending}
        return {i.op_id for i in pending}  # only with attempts_per_run == 0

    def _upload_chunk(self, chunk: list[OutboxItem]) -> list[Exception | None]:
        """Each item's documents uploaded before the request; what each upload raised, None when done.

        In parallel when several items carry documents: each upload is content-addressed and
        idempotent, and touches no local state (the store is read by this thread only), so their order
        does not matter; their outcomes are then handled in the chunk's order, as one after the other.
        """

        def upload(item: OutboxItem) -> Exception | None:
            try:
                self._upload_attachments(item, item.payload())
            except Exception as error:  # re-raised by the caller, in the chunk's order
                return error
            return None

        with_documents = [i for i in chunk if i.payload().get("attachments")]
        if self.upload_workers < 2 or len(with_documents) < 2:
            return [upload(item) for item in chunk]
        with ThreadPoolExecutor(min(self.upload_workers, len(with_documents)), "bilan-clas-upload") as pool:
            done = dict(zip((i.op_id for i in with_documents), pool.map(upload, with_documents), strict=True))
        return [done.get(item.op_id) for item in chunk]

    def _wait(self, pending: list[OutboxItem], error: Transient, attempt: int) -> bool:
        """Sleep before the next attempt, True; or postpone every pending item to a later run, False."""
        delay = self.backoff.delay(min(i.attempts for i in pending) + attempt, getattr(error, "retry_after", None))
        if attempt + 1 == self.attempts_per_run or delay > self.inline_wait_cap:
            for item in pending:
                self._postpone(item, error, attempt)
            return False
        self.sleep(delay)
        return True
