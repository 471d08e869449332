"""The HTTP client of the sync protocol v1 (requests).

Every call has a timeout; TLS is verified; redirects are never followed; a reply is read up to a
size cap and parsed with the strict wire models. Anything we cannot trust — HTML from a captive
portal, a cut body, wrong JSON types — is a BrokenReply: an unknown outcome, never a success.
"""

from __future__ import annotations

import ipaddress
import math
import urllib.parse
from collections.abc import Callable
from typing import TypeVar

import requests
from pydantic import BaseModel, ValidationError
from urllib3.util.retry import Retry

from forms.definition import DefinitionError, FormDefinition, parse_definition
from forms.jsonsafe import UnsafeJson, loads_bounded
from forms.logs import getLogger
from forms.store.outbox import MAX_POSTPONEMENT
from forms.version import APP_VERSION
from sync.errors import (
    AuthRequired,
    BatchUnsupported,
    BrokenReply,
    ClientTooOld,
    InsecureServer,
    Interrupted,
    Offline,
    Refused,
    ServerBusy,
    StaleBase,
    TimedOut,
    TooSlow,
)
from sync.protocol import (
    API_PREFIX,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    NOTICE_REPLY,
    REPLAYED_HEADER,
    STALE_BASE,
    STRUCTURE_LOCKED_CHANGE,
    AttachmentStored,
    ChangesPage,
    FormList,
    FormRef,
    Meta,
    Problem,
    PushItemResult,
    PushResult,
    ReplyCreate,
    ReplyView,
    TokenRequest,
    TokenResponse,
    VersionAccepted,
)
from sync.transport import SocketRegistry, TrackingAdapter, watched

CLIENT_VERSION = APP_VERSION
_log = getLogger("sync.client")
TIMEOUT = (5.0, 30.0)  # connect, read (seconds)
DEADLINE = 120.0  # a whole request, headers and body (seconds): a trickling reply cannot hold a sync
MAX_SERVER_DELAY = MAX_POSTPONEMENT.total_seconds()  # the longest wait a server may ask for (Retry-After)
ABSURD_SERVER_DELAY = 366 * 86400.0  # beyond this a Retry-After is nonsense: an ordinary transient failure
MAX_REPLY_BYTES = 8 * 1024 * 1024
Model = TypeVar("Model", bound=BaseModel)
# Transport-level retries only: a refused connection, or one the server dropped while idle in the pool.
# Every call is safe to repeat (GETs, and PUTs that carry their idempotency key in the URL).
TRANSPORT_RETRY = Retry(
    total=3, connect=2, read=1, redirect=0, status=0, other=0, allowed_methods=None,
    backoff_factor=0.2, raise_on_redirect=False, raise_on_status=False, respect_retry_after_header=False,
)  # fmt: skip


def server_base(url: str) -> str:
    """The server's address, checked: https, or http only to this computer."""
    parsed = urllib.parse.urlsplit(url.strip())
    if "@" in parsed.netloc:
        # Never stored nor echoed: the address would keep a password in clear in the settings and the logs.
        raise InsecureServer(
            "Adresse de serveur refusée : elle contient un identifiant ou un mot de passe. Donnez l'adresse "
            "seule (exemple : https://bilan-clas.exemple.fr) ; l'e-mail et le mot de passe sont demandés à part."
        )
    host = parsed.hostname or ""
    if parsed.scheme not in ("http", "https") or not host:
        raise InsecureServer(f"Adresse de serveur invalide : « {url} » (exemple : https://bilan-clas.exemple.fr).")
    if parsed.scheme == "http" and not _is_local(host):
        raise InsecureServer(
            "Connexion refusée : l'adresse du serveur doit commencer par https:// pour que vos données "
            "voyagent chiffrées (http:// n'est accepté que vers cet ordinateur)."
        )
    path = parsed.path.rstrip("/").removesuffix(API_PREFIX)
    return urllib.parse.urlunsplit((parsed.scheme, parsed.netloc, path, "", ""))


def _is_local(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SyncClient:
    def __init__(
        self,
        server_url: str,
        *,
        token: str | None = None,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = TIMEOUT,
        deadline: float | None = DEADLINE,
        max_reply_bytes: int = MAX_REPLY_BYTES,
    ) -> None:
        self.base = server_base(server_url)
        self.token = token
        self.timeout = timeout
        self.deadline = deadline
        self.max_reply_bytes = max_reply_bytes
        self.cancelled: Callable[[], bool] = _never  # the app's *Annuler*: polled while a request runs
        self._sockets = SocketRegistry()
        if session is None:
            session = requests.Session()
            adapter = TrackingAdapter(self._sockets, max_retries=TRANSPORT_RETRY)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
        self.session = session
        self.session.headers["User-Agent"] = f"bilan-clas/{CLIENT_VERSION}"

    def close(self) -> None:
        self.session.close()

    # --- transport ---------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        data: bytes | None = None,
        content_type: str = "application/json",
        params: dict[str, str | int] | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        sent_headers = {"Accept": "application/json", **(headers or {})}
        if data is not None:
            sent_headers["Content-Type"] = content_type
        if self.token:
            sent_headers["Authorization"] = f"Bearer {self.token}"
        if self.cancelled():
            raise _stopped("cancelled")
        with watched(self._sockets, self.deadline, self.cancelled) as watch:
            try:
                body, response = self._exchange(method, path, data, params, sent_headers)
            except (requests.RequestException, BrokenReply) as error:
                if watch.reason is not None:
                    raise _stopped(watch.reason) from None
                if isinstance(error, BrokenReply):
                    raise
                if isinstance(error, requests.ConnectTimeout):
                    raise Offline("Le serveur est injoignable. Rien n'est perdu : l'envoi sera repris.") from None
                if isinstance(error, requests.Timeout):
                    raise TimedOut(
                        "Le serveur ne répond pas à temps. Rien n'est perdu : l'envoi sera repris."
                    ) from None
                raise Offline("Pas de connexion au serveur. Rien n'est perdu : l'envoi sera repris.") from None
            if watch.reason is not None:
                raise _stopped(watch.reason)  # a body cut by us may look complete: never trust it
        response._content = bytes(body)
        self._raise_for_status(response)
        return response

    def _exchange(
        self,
        method: str,
        path: str,
        data: bytes | None,
        params: dict[str, str | int] | None,
        headers: dict[str, str],
    ) -> tuple[bytearray, requests.Response]:
        response = self.session.request(
            method,
            self.base + API_PREFIX + path,
            data=data,
            params=params,
            headers=headers,
            timeout=self.timeout,
            allow_redirects=False,
            stream=True,
        )
        try:
            body = bytearray()
            for chunk in response.iter_content(64 * 1024):
                body += chunk
                if len(body) > self.max_reply_bytes:
                    raise BrokenReply("Réponse du serveur anormalement volumineuse : ignorée.")
        except requests.RequestException:
            raise BrokenReply("Réponse du serveur interrompue. L'envoi sera repris.") from None
        finally:
            response.close()
        return body, response

    def _raise_for_status(self, response: requests.Response) -> None:
        status = response.status_code
        # The method, path, code, time and request id; never the headers or bodies (token, answers).
        _log.info(
            "%s %s -> %s in %.0f ms (request %s)",
            response.request.method, response.request.path_url, status,
            response.elapsed.total_seconds() * 1000, response.headers.get("X-Request-ID", "-"),
        )  # fmt: skip
        if 300 <= status < 400:
            where = response.headers.get("Location", "ailleurs")
            raise BrokenReply(
                f"Le réseau a redirigé la demande vers {where[:100]} (portail Wi-Fi ?) : réponse ignorée. "
                "Connectez-vous au réseau puis synchronisez de nouveau."
            )
        if status < 400:
            return
        if status == 401:
            raise AuthRequired("Votre connexion au serveur a expiré : reconnectez-vous. Rien n'est perdu.")
        if status in (429, 503) or status >= 500:
            raise ServerBusy(
                f"Le serveur est momentanément indisponible ({status}). L'envoi sera repris.",
                _retry_after(response),
            )
        problem = self._problem(response)
        if status == 426:
            raise ClientTooOld(f"{problem.title} Mettez à jour Bilan Clas.")
        if problem.code == STALE_BASE:
            raise StaleBase(problem)
        raise Refused(problem)

    def _problem(self, response: requests.Response) -> Problem:
        try:
            return Problem.model_validate_json(response.content)
        except ValidationError:
            # A 4xx that is not one of ours (a proxy's page...): not a verdict about our data.
            raise BrokenReply(
                f"Réponse inattendue du serveur ({response.status_code}) : réessayez plus tard."
            ) from None

    def _parse(self, model: type[Model], response: requests.Response) -> Model:
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip()
        if media_type != "application/json":
            raise BrokenReply(
                "Le serveur a répondu par une page web au lieu de données (portail Wi-Fi ou proxy ?). "
                "Rien n'a été marqué comme envoyé."
            )
        try:
            return model.model_validate_json(response.content)
        except ValidationError:
            raise BrokenReply("Réponse du serveur mal formée : rien n'a été marqué comme envoyé.") from None

    # --- calls -------------------------------------------------------------------------------

    def meta(self) -> Meta:
        meta = self._parse(Meta, self._request("GET", "/meta"))
        if _version_tuple(meta.min_client_version) > _version_tuple(CLIENT_VERSION):
            raise ClientTooOld(
                f"Le serveur demande Bilan Clas {meta.min_client_version} ou plus récent : mettez à jour l'application."
            )
        return meta

    def login(self, email: str, password: str) -> TokenResponse:
        body = TokenRequest(email=email, password=password).model_dump_json().encode()
        try:
            response = self._request("POST", "/auth/token", data=body)
        except AuthRequired:
            raise AuthRequired("E-mail ou mot de passe incorrect.") from None
        except Refused as refusal:
            if refusal.code == "rate_limited":
                raise ServerBusy(refusal.problem.title, server_delay(refusal.problem.retry_after)) from None
            raise
        token = self._parse(TokenResponse, response)
        self.token = token.access_token
        return token

    def logout(self) -> None:
        """Revoke this client's token on the server (it stops working at once)."""
        try:
            self._request("DELETE", "/auth/token")
        except AuthRequired:
            pass  # already unknown or expired there: nothing left to revoke
        finally:
            self.token = None

    def put_attachment(self, questionnaire_id: str, sha256: str, content: bytes, media_type: str) -> AttachmentStored:
        response = self._request(
            "PUT", f"/questionnaires/{questionnaire_id}/attachments/{sha256}", data=content, content_type=media_type
        )
        return self._parse(AttachmentStored, response)

    def put_version(self, questionnaire_id: str, version_id: str, body: bytes) -> tuple[VersionAccepted, bool]:
        """Send one frozen transmission; returns the server's receipt and whether it was a replay."""
        response = self._request(
            "PUT",
            f"/questionnaires/{questionnaire_id}/versions/{version_id}",
            data=body,
            headers={"Idempotency-Key": version_id},
        )
        accepted = self._parse(VersionAccepted, response)
        if str(accepted.version_id) != version_id or str(accepted.questionnaire_id) != questionnaire_id:
            raise BrokenReply("Le serveur a accusé réception d'un autre envoi : rien n'a été marqué comme envoyé.")
        return accepted, response.headers.get(REPLAYED_HEADER, "").lower() == "true"

    def post_reply(self, questionnaire_id: str, notice_id: str, reply_id: str, message: str) -> tuple[ReplyView, bool]:
        """Send one reply to a notice (reply_id is the idempotency key); returns it and whether it was a replay."""
        body = ReplyCreate(message=message).model_dump_json().encode()
        response = self._request(
            "POST", f"/questionnaires/{questionnaire_id}/notices/{notice_id}/replies/{reply_id}", data=body
        )
        reply = self._parse(ReplyView, response)
        if str(reply.reply_id) != reply_id or str(reply.notice_id) != notice_id:
            raise BrokenReply("Le serveur a accusé réception d'une autre réponse : rien n'a été marqué comme envoyé.")
        return reply, response.headers.get(REPLAYED_HEADER, "").lower() == "true"

    def push_batch(self, items: list[tuple[str, str, bytes]]) -> list[PushItemResult]:
        """Send up to MAX_PUSH_ITEMS frozen transmissions (questionnaire id, version id, body) in one
        request; one result per item, in order, each the single PUT's answer (its key: the version id)."""
        # The frozen bodies go as they are, byte for byte: the same body on every attempt.
        data = (
            b'{"items":['
            + b",".join(
                b'{"questionnaire_id":"%s","version_id":"%s","body":%s}' % (qid.encode(), vid.encode(), body)
                for qid, vid, body in items
            )
            + b"]}"
        )
        try:
            response = self._request("POST", "/sync/push", data=data)
        except Refused as refusal:
            if refusal.code in (NOT_FOUND, METHOD_NOT_ALLOWED):  # an older server: the single PUTs still work
                raise BatchUnsupported(str(refusal)) from None
            raise
        results = self._parse(PushResult, response).results
        if [(str(r.questionnaire_id), str(r.version_id)) for r in results] != [(q, v) for q, v, _ in items]:
            raise BrokenReply("Le serveur a répondu pour d'autres envois : rien n'a été marqué comme envoyé.")
        return results

    def changes(self, since: str | None, limit: int = 200) -> ChangesPage:
        params: dict[str, str | int] = {
            "limit": limit,
            "accept": f"{NOTICE_REPLY},{STRUCTURE_LOCKED_CHANGE}",  # kinds added after v1 that we know
        }
        if since:
            params["since"] = since
        return self._parse(ChangesPage, self._request("GET", "/changes", params=params))

    def form(self, form_id: str, version: int | None = None) -> FormDefinition:
        """A form definition served by the server (a new campaign reaches partners without reinstalling)."""
        params: dict[str, str | int] = {"version": version} if version is not None else {}
        response = self._request("GET", f"/forms/{form_id}", params=params)
        if response.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            raise BrokenReply("Définition de formulaire reçue dans un format inattendu : ignorée.")
        try:
            return parse_definition(loads_bounded(response.content), f"serveur : {form_id}")
        except UnsafeJson as error:
            raise BrokenReply(f"Définition de formulaire reçue invalide : {error}") from None
        except (ValueError, DefinitionError) as error:
            raise BrokenReply(f"Définition de formulaire reçue invalide : {error}") from None

    def form_list(self) -> list[FormRef]:
        """The definitions served, each with its campaign window for this partner's Caf."""
        return self._parse(FormList, self._request("GET", "/forms")).forms

    def form_refs(self) -> list[tuple[str, int]]:
        return [(ref.form_id, ref.form_version) for ref in self.form_list()]


def _retry_after(response: requests.Response) -> float | None:
    try:
        return server_delay(float(response.headers.get("Retry-After", "")))
    except (ValueError, OverflowError):
        return None  # an HTTP date or garbage: our own backoff decides


def _stopped(reason: str) -> Offline:
    if reason == "cancelled":
        return Interrupted("Synchronisation interrompue à votre demande. Rien n'est perdu.")
    return TooSlow("Le serveur répond trop lentement : demande abandonnée. Rien n'est perdu : l'envoi sera repris.")


def server_delay(seconds: float | None) -> float | None:
    """A wait the server asked for, in seconds, capped at a few hours; None when absurd (inf, NaN, years)."""
    if seconds is None or not math.isfinite(seconds) or seconds < 0 or seconds > ABSURD_SERVER_DELAY:
        return None
    return min(float(seconds), MAX_SERVER_DELAY)


def _never() -> bool:
    return False


def _version_tuple(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in version.split("+")[0].split("."))
    except ValueError:
        return (0,)


def item_receipt(result: PushItemResult) -> VersionAccepted:
    """A batch item's receipt, or the error its single PUT would have raised (same rules)."""
    status, body = result.status, result.body
    if status < 300 and isinstance(body, VersionAccepted):
        return body
    if status == 401:
        raise AuthRequired("Votre connexion au serveur a expiré : reconnectez-vous. Rien n'est perdu.")
    if status in (429, 503) or status >= 500 or not isinstance(body, Problem):
        raise ServerBusy(f"Le serveur est momentanément indisponible ({status}). L'envoi sera repris.", None)
    if body.code == STALE_BASE:
        raise StaleBase(body)
    raise Refused(body)
