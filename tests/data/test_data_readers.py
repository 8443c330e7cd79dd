import numpy as np
import pytest
from data_helpers import mmsa_split, shared_data_path, write_csd, write_csv, write_pickle

from shiftmsa.data import DataError, read_corpus, write_native_dataset
from shiftmsa.data.readers.csd import assemble_csd_corpus, read_computational_sequence
from shiftmsa.data.readers.mosi_table import carve_validation_videos
from shiftmsa.data.reading import detect_format


def test_mag_pickle_is_word_aligned_with_dev_as_valid_and_inf_counted(mag_pickle):
    corpus = read_corpus(mag_pickle)
    assert corpus.split_sizes() == {"train": 1, "valid": 1, "test": 1}
    assert (corpus.acoustic_dim, corpus.visual_dim, corpus.word_aligned) == (74, 47, True)
    first = corpus.splits["train"][0]
    assert first.id == "vid_1" and first.words == ("that", "was", "sick") and first.label == 2.0
    assert first.acoustic[1, 3] == 0.0
    assert corpus.report.repairs == {"acoustic +/-inf replaced with 0": 1}


def test_mag_pickle_inf_policy_error_names_file_id_field(mag_pickle):
    with pytest.raises(DataError) as raised:
        read_corpus(mag_pickle, inf_policy="error")
    assert all(part in str(raised.value) for part in (str(mag_pickle), "'vid_1'", "'acoustic'", "inf"))


def test_mmsa_unaligned_pickle_averages_the_valid_frames(mmsa_unaligned_pickle):
    corpus = read_corpus(mmsa_unaligned_pickle)
    assert corpus.word_aligned is False and (corpus.acoustic_dim, corpus.visual_dim) == (5, 3)
    first = corpus.splits["train"][0]
    assert first.id == "a$_$1" and first.words == ("it", "was", "good") and first.acoustic.shape == (1, 5)
    raw = mmsa_split(["a$_$1", "a$_$2"], ["it was good", "bad"], [1.0, -2.0], [4, 2], [5, 3])
    np.testing.assert_allclose(first.acoustic[0], raw["audio"][0, :4].mean(axis=0), rtol=1e-6)
    assert any("averaged" in note for note in corpus.report.notes)


def test_mmsa_aligned_pickle_keeps_one_row_per_word(mmsa_aligned_pickle):
    corpus = read_corpus(mmsa_aligned_pickle, format="mmsa-pkl")
    assert corpus.word_aligned is True
    assert corpus.splits["test"][0].visual.shape == (3, 3)
    assert read_corpus(mmsa_aligned_pickle, sequences="mean").splits["test"][0].visual.shape == (1, 3)


def test_mmsa_label_csv_both_id_layouts(tmp_path):
    plain = write_csv(tmp_path / "label.csv", ["id", "text", "label", "mode"],
                      [["v_1", "it was fine", 0.4, "train"], ["v_2", "awful", -2.8, "valid"]])
    split_id = write_csv(tmp_path / "mosei_label.csv", ["video_id", "clip_id", "text", "label", "annotation", "mode"],
                         [["v", 3, "great", 2.0, "Positive", "test"]])
    corpus = read_corpus(plain)
    assert corpus.modalities == ("text",) and corpus.splits["valid"][0].words == ("awful",)
    assert read_corpus(split_id).splits["test"][0].id == "v_3"


def test_mosi_table_sdk_fold(mosi_table_dir):
    corpus = read_corpus(mosi_table_dir)
    assert corpus.split_sizes() == {"train": 3, "valid": 1, "test": 2}
    assert (corpus.acoustic_dim, corpus.visual_dim, corpus.word_aligned) == (73, None, False)
    assert corpus.splits["train"][0].words == ("words", "of", "utterance", "0")


@pytest.mark.parametrize("split", ["sdk_fold", "bclstm_split"])
def test_mosi_table_refuses_video_3dcnn_on_every_split_with_the_evidence(mosi_table_dir, split):
    with pytest.raises(DataError, match="label-contaminated on every split") as refused:
        read_corpus(mosi_table_dir, split=split, features="audio_opensmile,video_3dcnn")
    message = str(refused.value)
    assert "0.904" in message and "0.519" in message and "field 'video_3dcnn'" in message


def test_mosi_table_bclstm_split_carves_validation_videos(mosi_table_dir):
    corpus = read_corpus(mosi_table_dir, split="bclstm_split")
    assert corpus.acoustic_dim == 73 and corpus.split_sizes()["test"] == 2
    carved = carve_validation_videos(["vidA", "vidB", "vidD"], fraction=0.34)
    assert len(carved) == 1 and carved == carve_validation_videos(["vidD", "vidB", "vidA"], fraction=0.34)
    valid_videos = {u.id.split("_")[0] for u in corpus.splits["valid"]}
    assert valid_videos == carve_validation_videos(["vidA", "vidB", "vidD"])


def test_mosi_table_rows_out_of_order_are_refused(mosi_table_dir):
    arrays = dict(np.load(mosi_table_dir / "mosi_utterance_features.npz", allow_pickle=True))
    arrays["id"] = arrays["id"][::-1]
    np.savez(mosi_table_dir / "mosi_utterance_features.npz", **arrays)
    with pytest.raises(DataError, match="order"):
        read_corpus(mosi_table_dir)


def test_openface_subset(openface_dir):
    corpus = read_corpus(openface_dir)
    assert detect_format(openface_dir) == "openface"
    assert (corpus.acoustic_dim, corpus.visual_dim, corpus.word_aligned) == (None, 22, True)
    last = corpus.splits["test"][0]
    assert last.words == ("great", "fun") and last.visual[0, 0] == 4 * 22


def test_native_round_trip_keeps_everything(tmp_path, mag_pickle):
    corpus = read_corpus(mag_pickle)
    folder = write_native_dataset(corpus, tmp_path / "native", provenance={"from": "mag"})
    assert np.load(folder / "features.npz", allow_pickle=False)["offsets"].tolist() == [0, 3, 5, 6]
    again = read_corpus(folder)
    assert again.name == corpus.name and again.word_aligned and again.feature_names == corpus.feature_names
    for before, after in zip(corpus, again):
        assert (before.id, before.words, before.label, before.split) == (after.id, after.words, after.label, after.split)
        np.testing.assert_array_equal(before.acoustic, after.acoustic)
        np.testing.assert_array_equal(before.visual, after.visual)
    assert any('"from": "mag"' in note for note in again.report.notes)


def test_native_write_failure_leaves_the_existing_dataset_whole(tmp_path, mag_pickle, monkeypatch):
    folder = write_native_dataset(read_corpus(mag_pickle), tmp_path / "native")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", fail)
    with pytest.raises(OSError, match="disk full"):
        write_native_dataset(read_corpus(mag_pickle, name="other"), folder)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_native_text_only_has_no_features_file(tmp_path):
    corpus = read_corpus(write_csv(tmp_path / "label.csv", ["id", "text", "label", "mode"], [["a", "ok", 0, "test"]]))
    folder = write_native_dataset(corpus, tmp_path / "native")
    assert not (folder / "features.npz").exists() and read_corpus(folder).modalities == ("text",)


def test_csd_sequence_and_assembled_corpus(csd_files):
    sequence = read_computational_sequence(csd_files["labels"])
    assert sequence.root_name == "Opinion Segment Labels" and sequence.n_rows == 2 and sequence.feature_dim == 1
    corpus = read_corpus(csd_files["labels"], folds={"vid": "train", "vid_2": "test"}, words=csd_files["words"],
                         acoustic=csd_files["acoustic"], visual=csd_files["visual"])
    first, second = corpus.splits["train"][0], corpus.splits["test"][0]
    assert (first.id, first.words, first.label) == ("vid_1", ("that", "was"), 1.5)
    assert second.words == ("sick", "indeed")
    np.testing.assert_array_equal(second.acoustic, np.arange(20, dtype=np.float32).reshape(5, 4)[[3, 4]])
    assert corpus.report.repairs == {"silence tokens 'sp' dropped": 1}


def test_csd_misaligned_feature_sequence_is_refused(tmp_path, csd_files):
    shifted = write_csd(tmp_path / "shifted.csd", "COVAREP",
                        {"vid": (np.zeros((5, 4), np.float32), np.zeros((5, 2)))})
    with pytest.raises(DataError) as raised:
        assemble_csd_corpus(csd_files["labels"], folds={"vid": "train"}, words=csd_files["words"], acoustic=shifted)
    assert all(part in str(raised.value) for part in ("shifted.csd", "'vid'", "'intervals'"))


def test_csd_missing_fold_names_the_utterance(csd_files):
    with pytest.raises(DataError, match="'vid_1'.*'folds'"):
        assemble_csd_corpus(csd_files["labels"], folds={}, texts={"vid_1": "a", "vid_2": "b"})


def test_unknown_path_and_format_are_clear(tmp_path):
    odd = tmp_path / "data.bin"
    odd.write_bytes(b"x")
    with pytest.raises(DataError, match="data.bin"):
        read_corpus(odd)
    with pytest.raises(DataError, match="unknown format"):
        read_corpus(odd, format="nope")
    with pytest.raises(DataError, match="does not take"):
        read_corpus(write_csv(tmp_path / "l.csv", ["id", "text", "label", "mode"], [["a", "b", 0, "test"]]), split="x")


def test_pickle_flavour_detection(mag_pickle, mmsa_unaligned_pickle, tmp_path):
    assert detect_format(mag_pickle) == "mag-pkl" and detect_format(mmsa_unaligned_pickle) == "mmsa-pkl"
    with pytest.raises(DataError, match="format="):
        detect_format(write_pickle(tmp_path / "other.pkl", {"x": 1}))


def test_real_mosi_table_and_csd(real_mosi):
    corpus = read_corpus(real_mosi)
    assert len(corpus) == 2199 and corpus.split_sizes() == {"train": 1284, "valid": 229, "test": 686}
    assert corpus.acoustic_dim == 73
    assembled = read_corpus(real_mosi / "CMU_MOSI_Opinion_Labels.csd", folds=real_mosi / "mosi_utterances.csv",
                            texts=real_mosi / "mosi_utterances.csv")
    assert assembled.split_sizes() == corpus.split_sizes()
    labels = {u.id: u.label for u in corpus}
    assert all(abs(labels[u.id] - u.label) < 1e-4 for u in assembled)
    text_only = read_corpus(real_mosi / "mmsa_label.csv")
    assert text_only.split_sizes() == {"train": 1281, "valid": 229, "test": 685}


def test_real_openface_subset(real_openface):
    corpus = read_corpus(real_openface)
    assert corpus.split_sizes() == {"train": 444, "valid": 59, "test": 324}
    assert sum(len(u.visual) for u in corpus) == 9810


@pytest.fixture
def real_mosi():
    return shared_data_path("mosi")


@pytest.fixture
def real_openface():
    return shared_data_path("mosi_openface")


def test_mmsa_stream_with_too_few_rows_is_refused(tmp_path):
    table = mmsa_split(["a", "b"], ["x", "y"], [0.0, 1.0], [1, 1], [1, 1])
    table["audio"] = table["audio"][:1]
    with pytest.raises(DataError, match="'audio'"):
        read_corpus(write_pickle(tmp_path / "unaligned_50.pkl", {"train": table}))


def test_pickle_flavour_sniffed_when_the_name_is_not_a_published_one(tmp_path, mag_pickle, mmsa_aligned_pickle):
    assert detect_format(mag_pickle.rename(tmp_path / "mine.pkl")) == "mag-pkl"
    assert detect_format(mmsa_aligned_pickle.rename(tmp_path / "theirs.pickle")) == "mmsa-pkl"
