"""The HTTP API (FastAPI): ``GET /health``, ``POST /predict``, ``POST /clip``, ``POST /explain``,
``GET /`` (the page) and the OpenAPI schema at ``/openapi.json``.

Routes only parse and answer; the work (reading uploads, extraction, scoring) runs on the
``WorkQueue``'s threads, so the event loop keeps serving while a model is busy. Every refusal is
``{"error", "field"}`` JSON with a 4xx status (``problems``), and the service keeps serving.
"""

from __future__ import annotations

import json
import logging
from contextlib import asynccontextmanager
from dataclasses import asdict

from fastapi import FastAPI, File, Form, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import ValidationError
from starlette.datastructures import UploadFile as FormFile
from starlette.exceptions import HTTPException

from shiftmsa.data.contract import DataError
from shiftmsa.data.readers.utterance_file import utterances_from_records
from shiftmsa.serve.body_limit import BodyLimit
from shiftmsa.serve.clips import Upload, check_transcript, extract_upload
from shiftmsa.serve.page import Page
from shiftmsa.serve.problems import RequestProblem, from_data_error
from shiftmsa.serve.schemas import ClipScore, Explanation, Problem, Score, UtteranceIn
from shiftmsa.serve.scorers import needs_checkpoint
from shiftmsa.serve.settings import ServeSettings
from shiftmsa.serve.work import WorkQueue

LOG = logging.getLogger("shiftmsa.serve")
BODY = "request body"
LAYERS_HELP = ("attention layers, 1-based numbers and 'last', comma-separated (default: shiftmsa explain's, "
               "those of the paper's Fig. 6)")
EXPLAIN_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"$ref": "#/components/schemas/UtteranceIn"}},
    "multipart/form-data": {"schema": {"type": "object", "required": ["clip", "transcript"], "properties": {
        "clip": {"type": "string", "format": "binary", "description": "audio or video (wav, mp4, webm, ...)"},
        "transcript": {"type": "string", "description": "the words spoken"},
        "id": {"type": "string"},
        "allow_fallback": {"type": "boolean", "description": "accept words the aligner could not place"}}}}}}}


def _checked_utterances(scorer, records: list[dict]) -> list:
    """Records as utterances (the checks of ``predict --input``), refused unless the model can read them."""
    utterances = utterances_from_records(records, BODY)
    scorer.check(utterances[0], {}, BODY)  # the checker saw to it that all have the same streams and widths
    return utterances


def _checked_clip(scorer, upload: Upload, settings: ServeSettings):
    """An upload's features and utterance, refused unless the model can read them."""
    clip, utterance, identity = extract_upload(upload, "visual" in scorer.modalities, settings.max_clip_seconds)
    scorer.check(utterance, identity, upload.filename)
    return clip, utterance, identity


def score_records(scorer, records: list[dict]) -> list[dict]:
    """``POST /predict``'s work."""
    utterances = _checked_utterances(scorer, records)
    return [{"id": u.id, "score": round(float(s), 6)} for u, s in zip(utterances, scorer.predict(utterances))]


def explain_record(scorer, record: dict, layers: str | None) -> dict:
    """``POST /explain``'s work for one utterance."""
    [utterance] = _checked_utterances(scorer, [record])
    return {"id": utterance.id, **scorer.explain(utterance, layers)}


def score_upload(scorer, upload: Upload, settings: ServeSettings) -> dict:
    """``POST /clip``'s work: the score, and each word's alignment record (times, placed_by,
    spoken_as...) with its text shift."""
    clip, utterance, identity = _checked_clip(scorer, upload, settings)
    score, scored = scorer.score_clip(utterance, clip.word_times.tolist())
    words = [{**record, **{k: v for k, v in entry.items() if k == "text_shift"}}
             for record, entry in zip(clip.alignment, scored)]
    return {"id": utterance.id, "score": round(float(score), 6), "words": words, "features": identity,
            "counts": clip.counts}


def explain_upload(scorer, upload: Upload, settings: ServeSettings, layers: str | None) -> dict:
    """``POST /explain``'s work for a clip: the explanation and the clip's alignment."""
    clip, utterance, _ = _checked_clip(scorer, upload, settings)
    return {"id": utterance.id, **scorer.explain(utterance, layers), "words": list(clip.alignment)}


def _where(location: tuple) -> tuple[str, str]:
    """A validation error's location -> (``[0].acoustic[1]``, the field ``acoustic``)."""
    parts = [p for p in location if p != "body"] if len(location) > 1 else list(location)
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".") or "body"
    names = [p for p in parts if isinstance(p, str)]
    return path, names[-1] if names else "body"


def _validation_problem(error: dict) -> RequestProblem:
    """The first error pydantic found, as a 422 naming its place and field."""
    if error.get("type") == "json_invalid":
        return RequestProblem(422, f"the body is not valid JSON ({error.get('msg')} near character "
                                   f"{error.get('loc', ('body', '?'))[-1]})", "body")
    path, field = _where(tuple(error.get("loc", ("body",))))
    return RequestProblem(422, f"{path}: {error.get('msg', 'invalid')}", field)


def _problem_response(problem: RequestProblem) -> JSONResponse:
    return JSONResponse(problem.body(), problem.status, headers=problem.headers)


def install_error_handlers(app: FastAPI) -> None:
    """Every refusal as ``{"error", "field"}`` JSON (see ``problems``)."""

    @app.exception_handler(RequestProblem)
    async def refused(_request, problem: RequestProblem):
        return _problem_response(problem)

    @app.exception_handler(DataError)
    async def bad_data(_request, error: DataError):
        return _problem_response(from_data_error(error, {f"file {BODY}": BODY}))

    @app.exception_handler(RequestValidationError)
    async def invalid(_request, error: RequestValidationError):
        return _problem_response(_validation_problem(error.errors()[0]))

    @app.exception_handler(HTTPException)
    async def http_error(_request, error: HTTPException):
        return JSONResponse({"error": str(error.detail), "field": getattr(error, "field", None)}, error.status_code,
                            headers=getattr(error, "headers", None))

    @app.exception_handler(Exception)
    async def crashed(_request, error: Exception):
        LOG.exception("request failed")
        return JSONResponse({"error": f"internal error: {type(error).__name__}: {' '.join(str(error).split())}",
                             "field": None}, 500)


async def _one_utterance(request: Request) -> dict:
    """``POST /explain``'s JSON body, validated as ``UtteranceIn``."""
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise RequestProblem(422, f"the body is not JSON ({error})", "body") from None
    try:
        return UtteranceIn.model_validate(body).model_dump(exclude_none=True)
    except ValidationError as error:
        raise _validation_problem(error.errors()[0]) from None


def create_app(scorer, settings: ServeSettings | None = None) -> FastAPI:
    """The service around a loaded scorer (``scorers.load_scorer``)."""
    settings = settings or ServeSettings()
    work = WorkQueue(settings.workers, settings.queue)
    page = Page()

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        work.close()

    app = FastAPI(title="shiftmsa scoring service", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Sentiment on the -3..+3 scale of utterances and clips, and the reasons of the "
                              "model (per-word shifts, p_att, attention). Refusals: {error, field} JSON.",
                  responses={code: {"model": Problem} for code in (409, 413, 415, 422, 503)})
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    install_error_handlers(app)

    @app.get("/health", summary="200 when the model is loaded: its card, the queue, the limits")
    async def health() -> dict:
        return {"status": "ok", "model": scorer.card, "explains": scorer.explains, "queue": work.state(),
                "limits": asdict(settings)}

    @app.post("/predict", response_model=list[Score], summary="score utterances (predict --input's JSONL schema)")
    async def predict(utterances: list[UtteranceIn]) -> list[dict]:
        if len(utterances) > settings.max_utterances:
            raise RequestProblem(413, f"{len(utterances)} utterances in one request; the service scores at most "
                                      f"{settings.max_utterances} per request", "body")
        return await work.run(score_records, scorer, [u.model_dump(exclude_none=True) for u in utterances])

    @app.post("/clip", response_model=ClipScore, summary="score one clip: features extracted, alignment returned")
    async def clip(clip: UploadFile = File(..., description="audio or video (wav, mp4, webm, ...)"),
                   transcript: str = Form("", description="the words spoken"),
                   id: str | None = Form(None, description="the clip's id (default: the file name's stem)"),
                   allow_fallback: bool = Form(False, description="accept words the aligner could not place")
                   ) -> dict:
        check_transcript(transcript)
        upload = Upload(clip.filename or "clip", clip.file, transcript, id, allow_fallback)
        return await work.run(score_upload, scorer, upload, settings)

    @app.post("/explain", response_model=Explanation, openapi_extra=EXPLAIN_BODY,
              summary="one utterance (JSON) or clip (multipart): score, per-word shifts, p_att, attention")
    async def explain(request: Request, layers: str | None = Query(None, description=LAYERS_HELP)) -> dict:
        if not scorer.explains:
            raise RequestProblem(409, needs_checkpoint(scorer.folder))
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == "application/json":
            return await work.run(explain_record, scorer, await _one_utterance(request), layers)
        if kind != "multipart/form-data":
            raise RequestProblem(415, "send one utterance as application/json or a clip as multipart/form-data "
                                      "(clip, transcript)", "body")
        form = await request.form()
        try:
            upload = form.get("clip")
            if not isinstance(upload, FormFile):
                raise RequestProblem(422, "no clip file in the form", "clip")
            transcript = str(form.get("transcript") or "")
            check_transcript(transcript)
            fallback = str(form.get("allow_fallback", "")).lower() in ("1", "true", "on", "yes")
            given_id = str(form.get("id") or "") or None
            return await work.run(explain_upload, scorer, Upload(upload.filename or "clip", upload.file, transcript,
                                                                 given_id, fallback), settings, layers)
        finally:
            await form.close()

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index() -> HTMLResponse:
        return page.response()

    return app
