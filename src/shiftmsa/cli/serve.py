"""``shiftmsa serve``: the scoring service and its page (``shiftmsa.serve``).

Like ``predict`` on a bundle, the handler calls its package directly rather than through
``shiftmsa.api`` (which imports torch), so that a bundle is served without torch.
"""

from __future__ import annotations

import argparse

from shiftmsa.cli import CommandError


def _serve(args: argparse.Namespace) -> int:
    from shiftmsa.serve.server import serve
    from shiftmsa.serve.settings import ServeSettings

    try:
        settings = ServeSettings(workers=args.workers, queue=args.queue, max_body_mb=args.max_body_mb,
                                 max_clip_seconds=args.max_clip_seconds, max_utterances=args.max_utterances)
        serve(args.model, args.host, args.port, settings, log=lambda line: print(line, flush=True))
    except ImportError as error:
        raise CommandError(f"{error}: install the serve extra (pip install '.[serve]')") from None
    except (FileNotFoundError, ValueError) as error:
        raise CommandError(str(error)) from None
    return 0


def register(subparsers) -> None:
    from shiftmsa.serve.settings import ServeSettings

    defaults = ServeSettings()
    serve = subparsers.add_parser(
        "serve", help="an HTTP scoring service and a page for a checkpoint or bundle",
        description="Serve a model over HTTP (FastAPI on uvicorn): GET /health, POST /predict (utterances, the "
                    "schema of predict --input), POST /clip (a clip and its transcript), POST /explain (score, "
                    "per-word shifts, p_att, attention: needs a checkpoint), GET / (a page), /openapi.json. "
                    "Needs the serve extra (pip install '.[serve]'); clips need the features extra. See "
                    "docs/serve.md.")
    serve.add_argument("model", help="a checkpoint (<run>/<model>/seed-<n>/best) or an ONNX Runtime bundle "
                                     "(`shiftmsa export`)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: %(default)s)")
    serve.add_argument("--workers", type=int, default=defaults.workers,
                       help="threads doing requests' work (extraction, scoring) in this one process, which "
                            "loads the model once; model calls take turns, each on every core "
                            "(default: %(default)s)")
    serve.add_argument("--queue", type=int, default=defaults.queue,
                       help="requests waiting beyond those being worked on; more get 503 with Retry-After "
                            "(default: %(default)s)")
    serve.add_argument("--max-body-mb", type=float, default=defaults.max_body_mb,
                       help="largest request body in MiB, uploads included (default: %(default)s)")
    serve.add_argument("--max-clip-seconds", type=float, default=defaults.max_clip_seconds,
                       help="longest clip accepted (default: %(default)s)")
    serve.add_argument("--max-utterances", type=int, default=defaults.max_utterances,
                       help="most utterances per POST /predict (default: %(default)s)")
    serve.set_defaults(handler=_serve)
