"""The service's API around tiny random models: the same numbers as the command line's code,
refusals as 4xx JSON naming the field, and the service still serving after each."""

from __future__ import annotations

import json

import numpy as np
import pytest

from serve_helpers import TEST_METRICS

TEXTS = ["what a wonderful film", "i hated the ending", "ok"]


def rows(width: int, words: int, seed: int = 0) -> list[list[float]]:
    return np.random.default_rng(seed).normal(size=(words, width)).round(4).tolist()


def acoustic_width(checkpoint) -> int:
    return json.loads((checkpoint / "shiftmsa.json").read_text())["data"]["acoustic_dim"]


def test_health_gives_the_model_card_with_the_run_s_test_metrics(client_of, text_checkpoint):
    from shiftmsa.config import config_from_dict
    from shiftmsa.serve.model_card import FINGERPRINT_FILE, run_folder_digest
    from shiftmsa.store.fingerprint import fingerprint_digest
    from shiftmsa.store.run_folders import FINGERPRINT_FILE as STORE_FINGERPRINT_FILE
    from shiftmsa.training.checkpoint import read_bundle_metadata

    health = client_of(text_checkpoint).get("/health")
    assert health.status_code == 200
    card = health.json()["model"]
    assert (card["model"], card["served"], card["modalities"]) == ("text-only", "checkpoint", ["text"])
    assert card["trained_on"]["corpus"] == "synthetic" and card["seed"] == 0
    assert card["test"] == TEST_METRICS and card["record"].endswith("results.jsonl")
    # the card's torch-free digest is the store's
    config = config_from_dict(read_bundle_metadata(text_checkpoint)["training"]["run_config"])
    assert FINGERPRINT_FILE == STORE_FINGERPRINT_FILE
    assert run_folder_digest(text_checkpoint.parent) == fingerprint_digest(config)


def test_a_bundle_s_card_has_the_test_metrics_of_the_run_it_came_from(client_of, text_bundle):
    card = client_of(text_bundle).get("/health").json()["model"]
    assert (card["served"], card["quantize"], card["test"]) == ("bundle", "none", TEST_METRICS)


def test_a_checkpoint_outside_a_run_store_says_why_it_has_no_metrics(client_of, clip_checkpoint, tmp_path):
    from shiftmsa.serve.model_card import stored_record

    card = client_of(clip_checkpoint).get("/health").json()["model"]
    assert card["test"] is None and "fingerprint.json is missing" in card["no_record"]
    damaged = tmp_path / "experiment" / "text-only" / "seed-0"
    damaged.mkdir(parents=True)
    (damaged / "fingerprint.json").write_text("{torn")
    record, why = stored_record(damaged / "best", 0)
    assert record is None and why.startswith(f"{damaged / 'fingerprint.json'} is not readable JSON (")


def test_predict_scores_as_the_python_api_does(client_of, text_checkpoint):
    from shiftmsa import api

    answer = client_of(text_checkpoint).post("/predict", json=[{"id": "a", "text": TEXTS[0]},
                                                               {"words": TEXTS[1].split()}, {"text": TEXTS[2]}])
    assert answer.status_code == 200
    prepared, _ = api.load_checkpoint(text_checkpoint)
    expected = api.predict(prepared, [api.utterance_from_text(str(i), t) for i, t in enumerate(TEXTS)])
    assert [row["id"] for row in answer.json()] == ["a", "utterance2", "utterance3"]
    assert np.allclose([row["score"] for row in answer.json()], expected, atol=1e-5)


def test_explain_gives_the_figures_of_shiftmsa_explain(client_of, clip_checkpoint):
    from shiftmsa import api

    words = TEXTS[0].split()
    utterance = {"id": "u", "text": TEXTS[0], "acoustic": rows(acoustic_width(clip_checkpoint), len(words))}
    client = client_of(clip_checkpoint)
    answer = client.post("/explain", json=utterance)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    figures = api.explain(clip_checkpoint, [api.utterance_from_text("u", TEXTS[0], np.array(utterance["acoustic"],
                                                                                           dtype=np.float32))],
                          log=lambda _line: None)
    expected = {figure.kind: figure for figure in figures}
    assert set(body["figures"]) == set(expected) == {"attention", "p_att", "shifts"}
    for kind, figure in expected.items():
        for name, array in figure.arrays.items():
            assert np.allclose(body["figures"][kind]["arrays"][name], array, atol=1e-5), (kind, name)
    assert body["figures"]["shifts"]["words"] == words
    assert body["figures"]["shifts"]["modalities"] == ["text", "acoustic"]
    [scored] = client.post("/predict", json=[utterance]).json()
    assert body["score"] == pytest.approx(scored["score"], abs=1e-5)
    layers = client.post("/explain?layers=1", json=utterance).json()["figures"]["attention"]
    assert layers["layers"] == [1] and "layer1/mean" in layers["arrays"]


def test_explain_names_what_a_model_cannot_give(client_of, text_checkpoint):
    body = client_of(text_checkpoint).post("/explain", json={"text": TEXTS[0]}).json()
    assert list(body["figures"]) == ["attention"]
    assert any(line.startswith("shifts: model text-only gives no shift/") for line in body["unavailable"])


def test_a_bundle_scores_like_its_checkpoint_and_refuses_to_explain(client_of, clip_bundle, clip_checkpoint):
    width = acoustic_width(clip_checkpoint)
    utterances = [{"id": str(i), "text": t, "acoustic": rows(width, len(t.split()), i)} for i, t in enumerate(TEXTS)]
    from_bundle = client_of(clip_bundle).post("/predict", json=utterances).json()
    from_checkpoint = client_of(clip_checkpoint).post("/predict", json=utterances).json()
    assert np.allclose([r["score"] for r in from_bundle], [r["score"] for r in from_checkpoint], atol=1e-4)
    refused = client_of(clip_bundle).post("/explain", json=utterances[0])
    assert refused.status_code == 409 and "need a training checkpoint" in refused.json()["error"]
    assert client_of(clip_bundle).get("/health").json()["explains"] is False


@pytest.mark.parametrize("body, status, field", [
    ([{"text": "  "}], 422, "words"),
    ([{"id": "x"}], 422, "text"),
    ([{"text": "a b", "acoustic": [[1.0, "loud"]]}], 422, "acoustic"),
    ([{"text": "a b", "pitch": [1]}], 422, "pitch"),
    ({"text": "not a list"}, 422, "body"),
    ([{"text": f"w{i}"} for i in range(5)], 413, "body"),
])
def test_bad_utterances_are_refused_naming_the_field(client_of, text_checkpoint, body, status, field):
    client = client_of(text_checkpoint, max_utterances=4)
    answer = client.post("/predict", json=body)
    assert (answer.status_code, answer.json()["field"]) == (status, field), answer.text
    assert "\n" not in answer.json()["error"]
    assert client.post("/predict", json=[{"text": "still serving"}]).status_code == 200


def test_features_of_the_wrong_width_or_none_are_refused(client_of, clip_checkpoint):
    client = client_of(clip_checkpoint)
    width = acoustic_width(clip_checkpoint)
    narrow = client.post("/predict", json=[{"id": "n", "text": "a b", "acoustic": rows(width - 1, 2)}])
    assert narrow.status_code == 422 and narrow.json()["field"] == "acoustic"
    assert f"{width - 1}-d but the checkpoint was trained on {width}-d" in narrow.json()["error"]
    assert "utterance 'n'" in narrow.json()["error"]
    bare = client.post("/explain", json={"text": "a b"})
    assert bare.status_code == 422 and "input has none" in bare.json()["error"]


def test_features_of_another_extractor_are_refused(scorer_of, clip_checkpoint):
    from shiftmsa.data.compatibility import utterance_from_text
    from shiftmsa.data.contract import DataError

    utterance = utterance_from_text("u", "a b", np.ones((2, acoustic_width(clip_checkpoint)), dtype=np.float32))
    with pytest.raises(DataError, match="use features from the same extractor") as refused:
        scorer_of(clip_checkpoint).check(utterance, {"acoustic": "another-extractor/0000"}, "clip.wav")
    assert refused.value.field_name == "acoustic"


def test_bodies_that_are_not_json_or_too_large_are_refused(client_of, text_checkpoint):
    client = client_of(text_checkpoint, max_body_mb=0.001)  # 1048 bytes
    broken = client.post("/predict", content=b"[{", headers={"content-type": "application/json"})
    assert (broken.status_code, broken.json()["field"]) == (422, "body")
    assert "not valid JSON" in broken.json()["error"]
    large = client.post("/predict", json=[{"text": "word " * 300}])
    assert (large.status_code, large.json()["field"]) == (413, "body")

    def chunks():  # no Content-Length: refused once the bytes read pass the limit
        yield b'[{"text": "'
        for _ in range(40):
            yield b"word " * 10
        yield b'"}]'

    streamed = client.post("/predict", content=chunks(), headers={"content-type": "application/json"})
    assert (streamed.status_code, streamed.json()["field"]) == (413, "body")
    wrong_kind = client.post("/explain", content=b"hello", headers={"content-type": "text/plain"})
    assert (wrong_kind.status_code, wrong_kind.json()["field"]) == (415, "body")
    assert client.get("/health").status_code == 200


def test_the_openapi_schema_names_the_endpoints(client_of, text_checkpoint):
    schema = client_of(text_checkpoint).get("/openapi.json").json()
    assert set(schema["paths"]) == {"/health", "/predict", "/clip", "/explain"}
    assert set(schema["paths"]["/explain"]["post"]["requestBody"]["content"]) == {"application/json",
                                                                                 "multipart/form-data"}
    assert "UtteranceIn" in schema["components"]["schemas"]
    assert client_of(text_checkpoint).get("/docs").status_code == 404  # its page would load a CDN's scripts


def test_the_page_carries_its_script_and_style_and_fetches_nothing_elsewhere(client_of, text_checkpoint):
    import base64
    import hashlib
    import re

    page = client_of(text_checkpoint).get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    [script] = re.findall(r"<script>(.*?)</script>", page.text, re.S)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    policy = page.headers["content-security-policy"]
    assert f"script-src 'sha256-{digest}'" in policy and "connect-src 'self'" in policy
    assert not re.search(r"<(link|img|iframe)\b|\bsrc=", page.text)
    assert "http://" not in page.text.replace('"http://www.w3.org/2000/svg"', "") and "https://" not in page.text
