import os
import pickle

from data_helpers import shared_data_path

from shiftmsa.cli import main
from shiftmsa.data import read_corpus


class WritesMarker:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def run(capsys, *argv):
    status = main(["data", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_check_summarises_and_counts_repairs(capsys, mag_pickle):
    status, out, _ = run(capsys, "check", str(mag_pickle), "--tokenizer", "none")
    assert status == 0
    assert "train 1 / valid 1 / test 1" in out and "acoustic: 74-d" in out and "visual: 47-d" in out
    assert "word-aligned" in out and "acoustic +/-inf replaced with 0: 1 value(s)" in out
    assert "+2: 1" in out and "-2: 1" in out


def test_check_counts_word_pieces_with_a_tokenizer(capsys, tiny_bert_dir, mag_pickle):
    status, out, _ = run(capsys, "check", str(mag_pickle), "--tokenizer", str(tiny_bert_dir))
    assert status == 0 and "pieces/utt" in out


def test_check_refuses_a_malicious_pickle_and_runs_nothing(capsys, tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "mosi.pkl"
    path.write_bytes(pickle.dumps({"train": [WritesMarker(marker)], "dev": [], "test": []}))
    status, _, err = run(capsys, "check", str(path), "--format", "mag-pkl")
    assert status == 2 and str(path) in err and "system" in err and "refused" in err
    assert not marker.exists()


def test_check_inf_policy_error_exits_two(capsys, mag_pickle):
    status, _, err = run(capsys, "check", str(mag_pickle), "--data-option", "inf_policy=error", "--tokenizer", "none")
    assert status == 2 and "'vid_1'" in err and "'acoustic'" in err


def test_check_mosi_table_options(capsys, mosi_table_dir):
    status, _, err = run(capsys, "check", str(mosi_table_dir), "--data-option", "features=video_3dcnn", "--tokenizer", "none")
    assert status == 2 and "label-contaminated" in err
    status, out, _ = run(capsys, "check", str(mosi_table_dir), "--data-option", "split=bclstm_split",
                         "--data-option", "features=audio_opensmile", "--tokenizer", "none")
    assert status == 0 and "acoustic: 73-d (audio_opensmile)" in out and "per utterance" in out


def test_check_csd_summarises_the_sequence(capsys, csd_files):
    status, out, _ = run(capsys, "check", str(csd_files["labels"]))
    assert status == 0 and "'Opinion Segment Labels'" in out and "videos       1" in out and "feature dim  1" in out


def test_check_csd_as_a_corpus(capsys, csd_files, tmp_path):
    folds = tmp_path / "folds.json"
    folds.write_text('{"train": ["vid"]}')
    status, out, _ = run(capsys, "check", str(csd_files["labels"]), "--data-option", f"folds={folds}",
                         "--data-option", f"words={csd_files['words']}",
                         "--data-option", f"acoustic={csd_files['acoustic']}", "--tokenizer", "none")
    assert status == 0 and "train 2 / valid 0 / test 0" in out and "acoustic: 4-d" in out


def test_synth_writes_a_native_dataset(capsys, tmp_path):
    status, out, _ = run(capsys, "synth", str(tmp_path / "syn"), "--n", "60", "--seed", "2")
    assert status == 0 and "train 40 / valid 10 / test 10" in out
    corpus = read_corpus(tmp_path / "syn")
    assert len(corpus) == 60 and corpus.acoustic_dim == 16 and corpus.word_aligned


def test_check_real_mosi(capsys):
    status, out, _ = run(capsys, "check", str(shared_data_path("mosi")), "--tokenizer", "none")
    assert status == 0 and "2199: train 1284 / valid 229 / test 686" in out and "acoustic: 73-d" in out
