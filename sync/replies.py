"""Sending the partner's replies to the Caf's notices, after the versions (one step of a sync).

Each reply goes with its own id and text, the same on every attempt: an unknown outcome is
retried (the server replays an identical repeat), a refusal is kept with the server's reason.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from forms.store.replies import Replies, ReplyInfo
from sync.errors import Offline, Refused, Transient

if TYPE_CHECKING:
    from sync.engine import Cancelled, Synchroniser, SyncResult


def push_replies(sync: Synchroniser, result: SyncResult, cancelled: Cancelled) -> None:
    replies = Replies(sync.store)
    for reply in replies.sendable(dt.datetime.max.replace(tzinfo=dt.UTC)):
        if cancelled():
            result.cancelled = True
            return
        result.attempted.add(reply.questionnaire_uuid)
        _send(sync, replies, reply, result)


def _send(sync: Synchroniser, replies: Replies, reply: ReplyInfo, result: SyncResult) -> None:
    for attempt in range(sync.attempts_per_run):
        try:
            sync.client.post_reply(reply.questionnaire_uuid, reply.notice_id, reply.reply_id, reply.message)
        except Refused as refusal:
            replies.mark_refused(reply.reply_id, code=refusal.code, message=str(refusal))
            result.refused.append((reply.questionnaire_uuid, str(refusal)))
            return
        except Offline as error:
            _postpone(sync, replies, reply, error, attempt)
            result.deferred += 1
            raise  # out of reach: stop this sync, the reply waits
        except Transient as error:
            delay = sync.backoff.delay(reply.attempts + attempt, getattr(error, "retry_after", None))
            if attempt + 1 == sync.attempts_per_run or delay > sync.inline_wait_cap:
                _postpone(sync, replies, reply, error, attempt)
                result.deferred += 1
                return
            sync.sleep(delay)
            continue
        replies.mark_sent(reply.reply_id)
        result.replies_sent += 1
        return


def _postpone(sync: Synchroniser, replies: Replies, reply: ReplyInfo, error: Transient, attempt: int) -> None:
    delay = sync.backoff.delay(reply.attempts + attempt + 1, getattr(error, "retry_after", None))
    replies.mark_retry(
        reply.reply_id, code=error.code, message=str(error), next_attempt_at=sync.clock() + dt.timedelta(seconds=delay)
    )
