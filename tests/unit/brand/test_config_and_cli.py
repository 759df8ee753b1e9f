from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.brand.cli import main
from planner.brand.engine import ConfigError, check_text, load_config, run_rule_examples
from planner.brand.starter import starter_config_path


def write_project(
    tmp_path: Path, rule: str, ini_extra: str = "", text: str = "Onze klanten.\n"
) -> Path:
    (tmp_path / "styles" / "H").mkdir(parents=True)
    (tmp_path / "styles" / "H" / "R.yml").write_text(rule, encoding="utf-8")
    (tmp_path / ".vale.ini").write_text(
        "StylesPath = styles\nMinAlertLevel = suggestion\n"
        + ini_extra
        + "\n[*]\nBasedOnStyles = H\n",
        encoding="utf-8",
    )
    (tmp_path / "post.txt").write_text(text, encoding="utf-8")
    return tmp_path


RULE = "extends: existence\nmessage: \"'%s'\"\nlevel: error\ntokens: [klanten]\n"


def test_cli_json_output_uses_vale_keys_and_exit_1(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(write_project(tmp_path, RULE))
    assert main(["--output", "JSON", "post.txt"]) == 1
    data = json.loads(capsys.readouterr().out)
    [alert] = data["post.txt"]
    assert list(alert) == [
        "Action",
        "Span",
        "Check",
        "Description",
        "Link",
        "Message",
        "Severity",
        "Match",
        "Line",
    ]
    assert alert["Span"] == [6, 12]
    assert alert["Action"] == {"Name": "", "Params": None}


def test_cli_line_output(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(write_project(tmp_path, RULE))
    main(["--output", "line", "post.txt"])
    assert capsys.readouterr().out.strip() == "post.txt:1:6:H.R:'klanten'"


def test_cli_unknown_key_exits_2_naming_file_and_key(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(write_project(tmp_path, RULE + "colour: red\n"))
    assert main(["post.txt"]) == 2
    err = capsys.readouterr().err
    assert "R.yml" in err
    assert "colour" in err


@pytest.mark.parametrize(
    "rule",
    [
        "message: no extends\n",
        "extends: existence\ntokens: [x]\n",
        "extends: telepathy\nmessage: x\n",
        "extends: existence\nmessage: x\nlevel: fatal\ntokens: [x]\n",
        "extends: existence\nmessage: x\ntokens: ['(unclosed']\n",
        "extends: existence\nmessage: x\nscope: nowhere\ntokens: [x]\n",
        "extends: existence\nmessage: x\ntokens: [x\n",
    ],
)
def test_cli_broken_rule_exits_2(tmp_path, monkeypatch, rule):
    monkeypatch.chdir(write_project(tmp_path, rule))
    assert main(["post.txt"]) == 2


def test_cli_missing_style_exits_2(tmp_path, monkeypatch):
    monkeypatch.chdir(write_project(tmp_path, RULE))
    (tmp_path / ".vale.ini").write_text("StylesPath = styles\n[*]\nBasedOnStyles = Nope\n")
    assert main(["post.txt"]) == 2


def test_cli_warning_only_exits_0(tmp_path, monkeypatch):
    monkeypatch.chdir(write_project(tmp_path, RULE.replace("error", "warning")))
    assert main(["post.txt"]) == 0


def test_ini_rule_override_and_severity(tmp_path):
    write_project(tmp_path, RULE)
    ini = tmp_path / ".vale.ini"
    ini.write_text(ini.read_text() + "H.R = suggestion\n")
    [alert] = check_text("klanten", markdown=False, config=load_config(ini), filename="post.txt")
    assert alert.severity == "suggestion"
    ini.write_text(ini.read_text() + "H.R = NO\n")
    assert check_text("klanten", markdown=False, config=load_config(ini), filename="post.txt") == []


def test_glob_sections_apply_by_file_name(tmp_path):
    write_project(tmp_path, RULE)
    ini = tmp_path / ".vale.ini"
    ini.write_text("StylesPath = styles\n[*.{md,markdown}]\nH.R = YES\n")
    config = load_config(ini)
    assert check_text("klanten", markdown=True, config=config, filename="a.md")
    assert check_text("klanten", markdown=False, config=config, filename="a.txt") == []


def test_vocabularies_drive_terms_avoid_and_exceptions(tmp_path):
    write_project(tmp_path, "extends: existence\nmessage: x\ntokens: ['[A-Z]\\w+']\n")
    vocab = tmp_path / "styles" / "config" / "vocabularies" / "Merk"
    vocab.mkdir(parents=True)
    (vocab / "accept.txt").write_text("Zuiderhaven\n")
    (vocab / "reject.txt").write_text("Zuidhaven\n")
    ini = tmp_path / ".vale.ini"
    ini.write_text(
        "StylesPath = styles\nMinAlertLevel = suggestion\nVocab = Merk\n[*]\nBasedOnStyles = Vale, H\n"
    )
    alerts = check_text(
        "Wij in zuiderhaven en Zuiderhaven, niet Zuidhaven.",
        markdown=False,
        config=load_config(ini),
        filename="p.txt",
    )
    got = {(a.check, a.match) for a in alerts}
    assert ("Vale.Terms", "zuiderhaven") in got
    assert ("Vale.Avoid", "Zuidhaven") in got
    assert ("H.R", "Zuiderhaven") not in got  # accepted terms are exceptions
    assert ("H.R", "Wij") in got


def test_load_config_missing_file_raises_config_error(tmp_path):
    with pytest.raises(ConfigError):
        load_config(tmp_path / "nope.ini")


def test_starter_styles_load_and_flag_officialese():
    config = load_config(starter_config_path("nl"))
    assert all(r.status != "disabled" or r.check == "Vale.Spelling" for r in config.report.rules)
    text = "Wij verstrekken de klanten informatie betreffende afval."
    checks = {a.check for a in check_text(text, markdown=False, config=config)}
    assert {"Zuiderhaven.Ambtelijk", "Zuiderhaven.Inwoners"} <= checks
    assert len([r for r in config.report.rules if r.check == "Zuiderhaven.Ambtelijk"]) == 1


def test_english_starter_style_loads():
    config = load_config(starter_config_path("en"))
    checks = {
        a.check for a in check_text("Our customers utilize it.", markdown=False, config=config)
    }
    assert {"English.Customers", "English.Wordy"} <= checks


def test_run_rule_examples_reports_failures():
    rule = "extends: existence\nmessage: x\ntokens: [klanten]\n"
    good = run_rule_examples(rule, valid=["Alle inwoners."], invalid=["Alle klanten."])
    assert good.passed
    bad = run_rule_examples(rule, valid=["Alle klanten."], invalid=["Alle inwoners."])
    assert not bad.passed
    assert len(bad.failures) == 2
    broken = run_rule_examples("extends: nope\nmessage: x\n", valid=[], invalid=[])
    assert broken.error is not None
