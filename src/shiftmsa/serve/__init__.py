"""The scoring service: ``shiftmsa serve CHECKPOINT_OR_BUNDLE`` (docs/serve.md).

One model, loaded once (a training checkpoint through ``training.modelling``, or an ONNX Runtime
bundle through ``deploy.runtime``), behind an HTTP API and a page:

- ``settings``: the service's limits (body size, clip duration, utterances per request) and its
  worker threads and queue;
- ``scorers``: the loaded model, one class per kind, with what each can give (scores, per-word
  text shift, explanations);
- ``model_card``: what the page says of the model (name, preset, training data, test metrics
  from its run's store record);
- ``clips``: an uploaded clip checked (media, duration) and turned into word-aligned features;
- ``work``: model work off the event loop on worker threads, behind a bounded queue (503 when full);
- ``problems``: every refusal as a 4xx JSON error naming the field;
- ``app``: the FastAPI application (``create_app``) and its routes; ``page``: the page it serves;
- ``server``: uvicorn running it.

Serving a bundle imports neither torch nor transformers (as ``shiftmsa predict BUNDLE``).
"""
