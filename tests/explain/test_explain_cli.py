"""``shiftmsa explain`` on tiny checkpoints: every figure kind, its data's shapes, and the errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from shiftmsa.cli import main
from shiftmsa.data.readers.native import read_native_dataset

TINY_LAYERS = 3
TINY_HEADS = 4


def figure(folder, name) -> dict:
    assert (folder / f"{name}.png").stat().st_size > 1000
    data = json.loads((folder / f"{name}.json").read_text())
    return {**data, "arrays": {key: np.array(value) for key, value in data["arrays"].items()}}


@pytest.fixture(scope="module")
def test_split(explain_runs):
    corpus = read_native_dataset(explain_runs["data"])
    return corpus.splits["test"]


def test_every_figure_of_the_full_model_is_written_with_the_expected_shapes(explain_runs, test_split, tmp_path):
    first = test_split[0]
    assert main(["explain", str(explain_runs["full"]), "--data", str(explain_runs["data"]), "--ids", first.id,
                 "--per-head", "--output", str(tmp_path)]) == 0
    attention = figure(tmp_path, f"attention_{first.id}")
    tokens = len(attention["tokens"])
    assert attention["tokens"][0] == "[CLS]" and attention["tokens"][-1] == "[SEP]"
    assert attention["layers"] == [2, 3]  # "2,3,last" on a 3-layer encoder
    for layer in (2, 3):
        assert attention["arrays"][f"layer{layer}/mean"].shape == (tokens, tokens)
        assert attention["arrays"][f"layer{layer}/heads"].shape == (TINY_HEADS, tokens, tokens)
        np.testing.assert_allclose(attention["arrays"][f"layer{layer}/mean"].sum(axis=1), 1.0, atol=1e-5)
    p_att = figure(tmp_path, f"p_att_{first.id}")
    for modality in ("acoustic", "visual"):
        matrix = p_att["arrays"][f"p_att/{modality}"]
        assert matrix.shape == (tokens, tokens) and np.all(np.abs(matrix) <= 1.0)
    shifts = figure(tmp_path, f"shifts_{first.id}")
    assert shifts["words"] == list(first.words) and shifts["label"] == pytest.approx(first.label, abs=1e-6)
    for modality in ("text", "acoustic", "visual"):
        assert shifts["arrays"][f"shift/{modality}"].shape == (len(first.words),)
        assert np.all(shifts["arrays"][f"shift/{modality}"] >= 0)
    tsne = figure(tmp_path, "tsne")
    assert tsne["ids"] == [u.id for u in test_split]
    for modality in ("text", "acoustic", "visual"):
        assert tsne["arrays"][f"msg-mba [full, seed 0]/{modality}"].shape == (len(test_split), 2)
    np.testing.assert_array_equal(tsne["arrays"]["sign"], np.sign([u.label for u in test_split]))


def test_without_ids_the_first_limit_utterances_are_drawn(explain_runs, test_split, tmp_path):
    assert main(["explain", str(explain_runs["full"]), "--data", str(explain_runs["data"]), "--limit", "2",
                 "--figures", "shifts", "--modalities", "text", "--output", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.glob("*.json")) == sorted(f"shifts_{u.id}.json" for u in test_split[:2])
    assert figure(tmp_path, f"shifts_{test_split[0].id}")["modalities"] == ["text"]


def test_p_att_from_a_model_without_mba_is_a_clear_error(explain_runs, tmp_path, capsys):
    assert main(["explain", str(explain_runs["no_mba"]), "--data", str(explain_runs["data"]),
                 "--figures", "p_att", "--output", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert "p_att: model msg-mba:table3.msg_t_a_v gives no p_att/<modality>" in error
    assert "no Masked Bimodal Adjustment" in error and "Traceback" not in error


def test_unasked_figures_a_model_cannot_give_are_skipped_with_a_note(explain_runs, tmp_path, capsys):
    assert main(["explain", str(explain_runs["text_only"]), "--data", str(explain_runs["data"]), "--limit", "1",
                 "--output", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "skipped shifts: model text-only gives no shift/<modality>" in out
    assert "skipped p_att" in out
    kinds = {p.stem.split("_")[0] for p in tmp_path.glob("*.png")}
    assert kinds == {"attention", "tsne"}
    assert figure(tmp_path, "tsne")["modalities"] == ["text"]


def test_tsne_of_a_modality_the_comparison_model_lacks_names_it(explain_runs, tmp_path, capsys):
    assert main(["explain", str(explain_runs["full"]), "--data", str(explain_runs["data"]), "--figures", "tsne",
                 "--compare", str(explain_runs["text_only"]), "--output", str(tmp_path)]) == 2
    assert "tsne: model text-only [text_only, seed 0] gives no fused/acoustic, fused/visual" in capsys.readouterr().err


def test_tsne_side_by_side_with_a_comparison_checkpoint(explain_runs, test_split, tmp_path):
    assert main(["explain", str(explain_runs["full"]), "--data", str(explain_runs["data"]), "--figures", "tsne",
                 "--modalities", "text", "--compare", str(explain_runs["text_only"]),
                 "--output", str(tmp_path)]) == 0
    tsne = figure(tmp_path, "tsne")
    first, second = tsne["checkpoints"]
    assert (first, second) == ("msg-mba [full, seed 0]", "text-only [text_only, seed 0]")
    assert tsne["arrays"][f"{second}/text"].shape == (len(test_split), 2)
    assert not np.allclose(tsne["arrays"][f"{second}/text"], tsne["arrays"][f"{first}/text"])


def test_new_utterances_from_a_file_get_per_utterance_figures_but_no_tsne(explain_runs, tmp_path, capsys):
    lines = [{"id": "u1", "words": ["that", "was", "sick"], "acoustic": np.ones((3, 16)).tolist(),
              "visual": np.zeros((3, 12)).tolist()}]
    source = tmp_path / "new.jsonl"
    source.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    out = tmp_path / "figures"
    assert main(["explain", str(explain_runs["full"]), "--input", str(source), "--output", str(out)]) == 0
    assert sorted(p.name for p in out.glob("*.png")) == ["attention_u1.png", "p_att_u1.png", "shifts_u1.png"]
    assert figure(out, "shifts_u1")["label"] is None
    assert main(["explain", str(explain_runs["full"]), "--input", str(source), "--figures", "tsne",
                 "--output", str(out)]) == 2
    assert "tsne: colours utterances by their gold label" in capsys.readouterr().err


@pytest.mark.parametrize("arguments, message", [
    (["--ids", "nope"], "no utterance 'nope' in split 'test'"),
    (["--layers", "0"], "attention: layer '0' is not one of 1..3 or 'last'"),
    (["--figures", "saliency"], "figure names ['saliency']: choose from attention, p_att, shifts, tsne"),
    (["--text", "that was sick"], "give --data (a labelled split) or one of --input"),
])
def test_bad_requests_get_one_clear_line(explain_runs, tmp_path, capsys, arguments, message):
    assert main(["explain", str(explain_runs["full"]), "--data", str(explain_runs["data"]),
                 "--output", str(tmp_path), *arguments]) == 2
    error = capsys.readouterr().err
    assert message in error and len(error.strip().splitlines()) == 1
