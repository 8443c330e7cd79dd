"""``shiftmsa serve``: load the model once, then serve it with uvicorn until interrupted."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from shiftmsa.serve.settings import ServeSettings


def serve(model: str | Path, host: str = "127.0.0.1", port: int = 8000, settings: ServeSettings | None = None,
          log: Callable[[str], None] = print) -> None:
    """Load ``model`` (a checkpoint or an ONNX Runtime bundle) and serve it at ``host:port``.

    Loading happens before the port opens, so ``GET /health`` answers 200 from the first
    request on; a model that cannot be loaded raises (``DataError``, ``ValueError``,
    ``FileNotFoundError``) without serving anything. One process: the model is loaded once.
    """
    import uvicorn

    from shiftmsa.serve.app import create_app
    from shiftmsa.serve.scorers import load_scorer

    settings = settings or ServeSettings()
    scorer = load_scorer(model)
    log(f"serving {scorer.card['model']} ({scorer.kind}, {model}) at http://{host}:{port}/ "
        f"with {settings.workers} worker thread(s) and a queue of {settings.queue}")
    uvicorn.run(create_app(scorer, settings), host=host, port=port, log_level="warning", access_log=False)
