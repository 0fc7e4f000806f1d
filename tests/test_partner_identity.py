"""A partner is its code: two areas whose names clean to the same letters ("Melton", "Melton!") get two
files and each its own e-mail; an address listed for two partners is refused unless marked shared."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from deliver_support import MailServer
from engine.cli import main
from engine.deliver.pipeline import load_pipeline
from engine.errors import SpecError
from hostile_support import copy_fixture, tiny_pipeline


@pytest.fixture
def lookalikes(tmp_path):
    """The fixture with districts Alpha, "Melton" and "Melton!" (codes E07000001-3)."""
    spec = copy_fixture(tmp_path)
    (tmp_path / "districts.csv").write_text("LAD23CD,LAD23NM\nE07000001,Alpha\nE07000002,Melton\nE07000003,Melton!\n",
                                            encoding="utf-8")
    return spec


def area_in(workbook: bytes) -> str:
    """The partner area a workbook is about, from its Data Quality sheet's heading ("Data quality — <area>")."""
    sheet = load_workbook(io.BytesIO(workbook), read_only=True)["Data Quality"]
    return str(next(sheet.iter_rows(min_row=1, max_row=1, values_only=True))[0]).split(" — ", 1)[1]


def test_names_that_clean_alike_write_two_files(lookalikes, tmp_path):
    assert main(["build", str(lookalikes), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    workbooks = sorted(p.name for p in (tmp_path / "out").glob("*.xlsx"))
    assert workbooks == ["Alpha_E07000001_2022-10.xlsx", "Melton_E07000002_2022-10.xlsx", "Melton_E07000003_2022-10.xlsx"]
    assert area_in((tmp_path / "out" / "Melton_E07000002_2022-10.xlsx").read_bytes()) == "Melton"
    assert area_in((tmp_path / "out" / "Melton_E07000003_2022-10.xlsx").read_bytes()) == "Melton!"


def test_each_lookalike_partner_receives_its_own_workbook(lookalikes, tmp_path):
    server = MailServer().start()
    try:
        pipeline = tiny_pipeline(tmp_path, server.port, lookalikes,
                                 areas={"Melton": ["melton@example.org"], "Melton!": ["other@example.org"]})
        assert main(["run", str(pipeline), "--quiet"]) == 0
        received = {r.rcpt_tos[0]: r for r in server.handler.received}
    finally:
        server.stop()
    assert sorted(received) == ["melton@example.org", "other@example.org"]
    for address, area, code in (("melton@example.org", "Melton", "E07000002"), ("other@example.org", "Melton!", "E07000003")):
        [(name, workbook)] = [(n, data) for n, data in received[address].attachments.items() if n.endswith(".xlsx")]
        assert name == f"Melton_{code}_2022-10.xlsx" and area_in(workbook) == area
        assert received[address].message["X-Saferbook-Area"] == area


def test_a_recipient_of_two_partners_is_refused_unless_shared(tmp_path):
    areas = {"Alpha": ["alpha@example.org", "county@example.org"], "Beta": ["beta@example.org"],
             "Gamma": ["gamma@example.org"]}
    path = tiny_pipeline(tmp_path, 25, areas=areas)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("to: [gamma@example.org]", "to: [gamma@example.org]\n    cc: [County@example.org]"),
                    encoding="utf-8")
    with pytest.raises(SpecError) as raised:
        load_pipeline(path)
    [problem] = raised.value.problems
    assert problem.key_path == "partners[2].cc[0]" and "also a recipient of partners[0] (Alpha)" in problem.message
    assert "shared_recipients" in problem.message

    path.write_text(path.read_text(encoding="utf-8").replace("partners:\n", "shared_recipients: [county@example.org]\n"
                                                                           "partners:\n"), encoding="utf-8")
    assert load_pipeline(path).pipeline.shared_recipients == ["county@example.org"]


def test_a_partner_named_by_its_code_and_by_its_name_twice_is_refused(tmp_path, capsys):
    path = tiny_pipeline(tmp_path, 25, areas={"Alpha": ["a@example.org"], "E07000001": ["b@example.org"]})
    assert main(["run", str(path), "--dry-run", "--quiet"]) == 2
    assert "'E07000001' and 'Alpha' are the same partner area (E07000001)" in capsys.readouterr().err
