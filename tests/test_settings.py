"""Settings: a misspelt KBQA_ variable or keyword is an error naming the closest setting."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ingest.errors import KbqaError, SettingsError, UnknownSetting
from ingest.settings import Settings, load_settings


def test_unknown_variable_names_the_closest_setting(monkeypatch):
    monkeypatch.setenv("KBQA_RETRIEVAL__GLOSARY", "false")
    with pytest.raises(UnknownSetting) as err:
        Settings()
    assert str(err.value) == "unknown setting KBQA_RETRIEVAL__GLOSARY: did you mean KBQA_RETRIEVAL__GLOSSARY?"
    assert isinstance(err.value, KbqaError) and isinstance(err.value, ValueError)


def test_misspelt_section_and_field(monkeypatch):
    monkeypatch.setenv("KBQA_RETRIVAL__BM25_WEIGTH", "0.5")
    monkeypatch.setenv("KBQA_EMBED__MODEL", '["use"]')
    with pytest.raises(UnknownSetting) as err:
        load_settings()
    assert err.value.problems == [
        "unknown setting KBQA_EMBED__MODEL: did you mean KBQA_EMBED__MODELS?",
        "unknown setting KBQA_RETRIVAL__BM25_WEIGTH: did you mean KBQA_RETRIEVAL__BM25_WEIGHT?",
    ]


def test_unknown_variable_without_a_close_setting_lists_the_settings(monkeypatch):
    monkeypatch.setenv("KBQA_CHUNK__XYZZY", "3")
    with pytest.raises(UnknownSetting) as err:
        load_settings()
    assert str(err.value) == "unknown setting KBQA_CHUNK__XYZZY: the settings there are KBQA_CHUNK__TARGET_CHARS, KBQA_CHUNK__MAX_CHARS"


def test_a_field_has_no_subsettings(monkeypatch):
    monkeypatch.setenv("KBQA_KB__PATH", "notes")
    with pytest.raises(UnknownSetting, match=r"^unknown setting KBQA_KB__PATH: did you mean KBQA_KB\?$"):
        load_settings()


def test_known_variables_still_work(monkeypatch, tmp_path):
    monkeypatch.setenv("KBQA_LLM__API_KEY", "sk-test")
    monkeypatch.setenv("kbqa_llm__base_url", "http://127.0.0.1:9/v1")  # read case-insensitively, as before
    monkeypatch.setenv("KBQA_BM25__K1", "1.5")
    monkeypatch.setenv("KBQA_KB", str(tmp_path))
    monkeypatch.setenv("KBQA_REGEN_GOLDEN", "0")  # read by the tests, not a setting
    s = load_settings()
    assert (s.llm.api_key, s.llm.base_url, s.bm25.k1, s.kb) == ("sk-test", "http://127.0.0.1:9/v1", 1.5, tmp_path)


def test_unknown_keyword_refused():
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        Settings(kb_dir="notes")
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        Settings(retrieval={"glosary": False})
    with pytest.raises(SettingsError) as err:
        load_settings(retrieval={"glosary": False})
    assert str(err.value) == "unknown setting retrieval.glosary: did you mean retrieval.glossary?"
    with pytest.raises(SettingsError) as err:
        load_settings(max_note_byte=10)
    assert str(err.value) == "unknown setting max_note_byte: did you mean max_note_bytes?"


def test_bad_value_names_the_variable(monkeypatch):
    monkeypatch.setenv("KBQA_RETRIEVAL__K", "0")
    with pytest.raises(SettingsError) as err:
        load_settings()
    assert str(err.value) == "bad setting KBQA_RETRIEVAL__K: Input should be greater than or equal to 1 (got '0')"


def test_a_list_that_is_not_json(monkeypatch):
    monkeypatch.setenv("KBQA_EMBED__MODELS", "use")
    with pytest.raises(SettingsError, match=r"""written in JSON, e.g. KBQA_EMBED__MODELS='\["use"\]'"""):
        load_settings()
