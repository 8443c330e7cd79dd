"""The numbers of each figure from hand-made traces, and layer choice."""

from __future__ import annotations

import numpy as np
import pytest

from shiftmsa.explain.figure_data import UnavailableFigure, available_modalities
from shiftmsa.explain.figures import file_stem, p_att_data, parse_layers, shift_data
from shiftmsa.explain.trace import UtteranceTrace


def hand_trace() -> UtteranceTrace:
    """[CLS] that was si ##ck [SEP]: 'sick' has two pieces; the text shift is known per token."""
    shift = np.zeros((6, 2), dtype=np.float32)
    shift[:, 0] = [9.0, 1.0, 2.0, 3.0, 5.0, 9.0]  # ||h_s|| per token (specials must not count)
    return UtteranceTrace(
        utterance_id="clip 1/a", words=("that", "was", "sick", "cut"),
        tokens=["[CLS]", "that", "was", "si", "##ck", "[SEP]"],
        word_of_token=np.array([-1, 0, 1, 2, 2, -1]), prediction=1.5, label=2.0,
        extras={"shift/text": shift, "eta/text": np.array([1.0, 1.0, 0.5, 1.0, 0.5, 1.0], dtype=np.float32),
                "p_att/visual": np.eye(6, dtype=np.float32)},
        attentions={})


def test_shift_per_word_is_eta_times_the_shift_norm_averaged_over_its_pieces():
    data = shift_data(hand_trace(), ("text",))
    np.testing.assert_allclose(data.arrays["shift/text"], [1.0, 1.0, (3.0 + 2.5) / 2])
    assert data.labels["words"] == ["that", "was", "sick"]  # "cut" lost every piece to max_length
    assert data.labels["truncated_words"] == 1
    assert data.name == "shifts_clip_1_a" == file_stem("shifts", "clip 1/a")


def test_p_att_keeps_the_token_matrix():
    data = p_att_data(hand_trace(), ("visual",))
    assert data.arrays["p_att/visual"].shape == (6, 6)
    assert data.to_json()["shapes"] == {"p_att/visual": [6, 6]}


@pytest.mark.parametrize("spec, expected", [("2,3,last", (2, 3, 6)), ("last,1,last", (6, 1)), ((4,), (4,))])
def test_layers_are_one_based_with_last(spec, expected):
    assert parse_layers(spec, 6) == expected


@pytest.mark.parametrize("spec", ["0", "7", "two"])
def test_layers_outside_the_encoder_are_refused(spec):
    with pytest.raises(ValueError, match=f"layer '{spec}' is not one of 1..6"):
        parse_layers(spec, 6)


def test_modalities_asked_for_must_all_be_there():
    extras = {"fused/text": 0, "fused/visual": 0}
    assert available_modalities(extras, "fused", None, "tsne", "m") == ("text", "visual")
    assert available_modalities(extras, "fused", ("visual", "text"), "tsne", "m") == ("text", "visual")
    with pytest.raises(UnavailableFigure, match=r"tsne: model m gives no fused/acoustic.*\(it has: text, visual\)"):
        available_modalities(extras, "fused", ("acoustic",), "tsne", "m")
