"""The Gradio app over real HTTP, through gradio_client: questions in both languages, a
calculation, a claim check, calculators and claims tabs, uploads good and bad, robustness.

The server runs in this process on a free 127.0.0.1 port over a small notes folder in
a temp dir (the encoders are the real ones, shared with the rest of the session).
"""

from __future__ import annotations

import re

import pytest

NOTES = {
    "training.md": (
        "# GPT-3 training cost\n\n"
        "Training GPT-3 (175B parameters on 300B tokens) on TPU v4 costs about $1.4 million. "
        "PaLM, with 540B parameters, would cost about $11.2 million.\n\n"
        "# Serving\n\nAn A100 answers at about 350 ms per word.\n"
    ),
    "机柜.txt": (
        "机柜与电力\n\n"
        "一个标准机柜高42U，一台DGX A100服务器占6U，所以一个机柜可放7台服务器。每个机柜的功率约为45.5kW。\n\n"
        "则，每日电费约为2,369,640*0.08=4.7万美元/日。\n"
    ),
    "tricky.md": (
        "# Odd things in notes\n\n"
        "A note with markup: <script>window.__pwned = 1</script> and <img src=x onerror=alert(1)> "
        "and a Markdown image ![x](http://example.com/x.png) about racks of GPUs.\n"
    ),
}


def _text(message) -> str:
    """A chat message's content as one string, whatever shape gradio gives it."""
    content = message["content"] if isinstance(message, dict) else message
    if isinstance(content, list):
        return "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
    return str(content)


@pytest.fixture(scope="module")
def app_server(tmp_path_factory, embedders):
    from app.ui.app import serve_in_background
    from app.ui.service import Service
    from ingest.settings import Settings

    root = tmp_path_factory.mktemp("ui-http")
    kb = root / "kb"
    kb.mkdir()
    for name, text in NOTES.items():
        (kb / name).write_text(text, encoding="utf-8")
    settings = Settings(kb=kb, index=root / "index", max_note_bytes=20_000)
    service = Service(settings, embedders=embedders).start(background=False, warm_up=False)
    demo, url = serve_in_background(service)
    yield url, service, root
    demo.close()


@pytest.fixture(scope="module")
def client(app_server):
    from gradio_client import Client

    return Client(app_server[0], verbose=False)


def ask(client, question: str, history_messages=None, lang="English") -> str:
    # the gr.State of previous answers is kept server-side per client session, not sent
    messages, cleared = client.predict(question, history_messages or [], lang, api_name="/chat")
    assert cleared == ""
    assert _text(messages[-2]).find("kbqa-question") >= 0
    return _text(messages[-1])


def test_endpoints_are_named(client):
    names = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert {"/chat", "/clear", "/claims", "/check_arithmetic", "/upload_note", "/read_note", "/calculate"} <= names


def test_english_question_cites_the_note(client):
    html = ask(client, "How much did it cost to train GPT-3 on TPU v4?")
    assert "kbqa-route-lookup" in html or "kbqa-route-calculate" in html
    assert '<details class="kbqa-cite"' in html and "training.md" in html
    assert re.search(r"<mark>[^<]*1\.4 million", html)


def test_chinese_question_answers_in_chinese(client):
    html = ask(client, "一个机柜可以放几台服务器？")
    assert "机柜.txt" in html and "<mark>" in html
    assert "来自笔记" in html or "计算" in html  # badges in the question's language


def test_calculation_step_table(client):
    html = ask(client, "How many A100 GPUs are needed for 25 million daily visitors?")
    assert "kbqa-route-calculate" in html
    assert 'class="kbqa-table kbqa-calc-inputs"' in html and 'kbqa-calc-steps' in html
    assert "30,382" in html and "3,798" in html
    assert "daily_visitors" in html and "question" in html


def test_claim_check_badge(client):
    html = ask(client, "Is 2,369,640*0.08=4.7万美元 right?")
    assert "kbqa-badge-bad" in html and "Contradicted" in html
    assert "189,571" in html


def test_not_in_notes_is_distinct(client):
    html = ask(client, "What is the capital of France?")
    assert 'class="kbqa-absent' in html and "Not in your notes" in html


def test_note_markup_is_shown_as_text(client):
    html = ask(client, "What odd markup about racks of GPUs is in the notes?")
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "![x](" not in html or "!&#91;" in html or "![x](http" not in html


def test_question_markup_is_escaped(client):
    messages, _ = client.predict("<script>alert(1)</script> GPT-3?", [], "English", api_name="/chat")
    assert "<script>" not in _text(messages[0]) and "&lt;script&gt;" in _text(messages[0])


def test_huge_question_is_refused(client):
    html = ask(client, "x" * 100_000)
    assert "kbqa-error" in html and "100,000 characters" in html and "4,000" in html


def test_empty_question_is_refused(client):
    assert "kbqa-error" in ask(client, "   ")


def test_follow_up_uses_the_conversation(app_server):
    """The gr.State history carries the previous Answer: a follow-up reuses its calculation."""
    from gradio_client import Client

    c = Client(app_server[0], verbose=False)
    first, _ = c.predict("How many A100 GPUs are needed for 25 million daily visitors?", [], "English", api_name="/chat")
    alone = ask(client_without_history := Client(app_server[0], verbose=False), "and with 50 million visitors?")
    assert "kbqa-route-calculate" not in alone  # on its own it is not a calculation...
    del client_without_history
    follow, _ = c.predict("and with 50 million visitors?", first, "English", api_name="/chat")  # ...after one it is
    html = _text(follow[-1])
    assert len(follow) == 4
    assert "kbqa-route-calculate" in html and "60,764" in html, html[:500]


def test_error_inside_a_request_becomes_a_message(app_server, client, monkeypatch):
    service = app_server[1]

    def boom(*a, **k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(service, "ask", boom)
    html = ask(client, "How much did it cost to train GPT-3?")
    monkeypatch.undo()
    assert "kbqa-error" in html and "disk on fire" in html
    assert "kbqa-route" in ask(client, "How much did it cost to train GPT-3?")  # the server lives on


def _form(name, **given):
    """The calculator form's boxes as the page fills them (defaults shown), with `given` typed in."""
    from app.ui.calc_tab import form_fields
    from calculators.registry import CALCULATORS

    names = [p.name for p in CALCULATORS[name].parameters]
    boxes = [f["value"] for f in form_fields(name, "en")]
    for key, text in given.items():
        boxes[names.index(key)] = text
    return boxes


def test_calculator_form(client):
    html = client.predict("training_cost", "English", *_form("training_cost", params="175B", tokens="300B"), api_name="/calculate")
    assert "1,398,072" in html and "kbqa-calc-steps" in html and "kbqa-plot" in html
    assert ">form<" not in html.split("<code>peak_flops</code>")[1].split("</tr>")[0]  # the default kept its source
    bad = client.predict("training_cost", "English", *_form("training_cost", params="lots", tokens="300B"), api_name="/calculate")
    assert "kbqa-error" in bad and "params" in bad
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="not in the list of choices"):  # refused by the picker's own check
        client.predict("no_such_calculator", "English", *([""] * len(_form("training_cost"))), api_name="/calculate")


def test_calculator_form_in_chinese(client):
    html = client.predict("fleet_size", "中文", *_form("fleet_size", daily_visitors="2500万"), api_name="/calculate")
    assert "kbqa-calc" in html and "访客" in html and "默认值" in html


def test_claims_table_and_checker(client):
    table = client.predict("wrong", "English", api_name="/claims")
    assert "2,369,640*0.08" in table and "机柜.txt:5" in table and "kbqa-badge-bad" in table
    checked = client.predict("3,798/7=542个机柜", "English", api_name="/check_arithmetic")
    assert "kbqa-badge-bad" in checked and "543" in checked


def _upload(client, path):
    from gradio_client import handle_file

    return client.predict(handle_file(str(path)), "English", api_name="/upload_note")


def test_upload_is_searchable_at_once(app_server, client):
    url, service, root = app_server
    note = root / "power_usage.md"
    note.write_bytes("# Quokka cluster\n\nThe quokka cluster draws 777 kW from the grid.\n".encode("gb18030"))
    msg, table, _dropdown, status = _upload(client, note)
    assert "kbqa-ok-msg" in msg and "power_usage.md" in msg, msg
    files, chunks = service.chunk_count()
    assert f"{chunks} passages from {files} notes" in status  # the status line is refreshed with the new note
    assert (service.settings.kb / "power_usage.md").read_bytes() == note.read_bytes()
    assert "power_usage.md" in table
    html = ask(client, "How much power does the quokka cluster draw?")
    assert "power_usage.md" in html and "777 kW" in html
    again, _, _, _ = _upload(client, note)  # same name, same bytes: nothing to do
    assert "already in your notes" in again


@pytest.mark.parametrize("name, data, expected", [
    ("slides.pdf", b"%PDF-1.4 hello", "only .txt, .md, .markdown notes"),
    ("big.txt", b"a" * 30_000, "over the"),
    ("blob.txt", bytes(range(256)) * 4, "binary"),
    ("empty.md", b"", "empty"),
    ("training.md", b"# Something else entirely\n\nDifferent text.\n", "a different note with this name"),
])
def test_bad_upload_changes_nothing(app_server, client, tmp_path, name, data, expected):
    url, service, root = app_server
    kb = service.settings.kb
    before = {p.name: p.read_bytes() for p in kb.iterdir() if p.is_file()}
    path = tmp_path / name
    path.write_bytes(data)
    msg, _table, _, _ = _upload(client, path)
    assert "kbqa-error" in msg and expected in msg, msg
    after = {p.name: p.read_bytes() for p in kb.iterdir() if p.is_file()}
    assert after == before


def test_read_note(client):
    html = client.predict("tricky.md", api_name="/read_note")
    assert "<script>" not in html and "&lt;script&gt;" in html  # shown as text in the reader, never run
    assert '<span class="kbqa-ln">1</span>' in html  # with line numbers


def test_remove_a_note(app_server, client):
    """Removing a note deletes the file in kb/ only, re-indexes, and refreshes the table and status."""
    from gradio_client.exceptions import AppError

    from app.ui.notes_tab import UploadError

    url, service, root = app_server
    kb = service.settings.kb
    doomed = root / "doomed.md"
    doomed.write_text("# Wombat farm\n\nThe wombat farm runs 3 racks of H100s.\n", encoding="utf-8")
    _upload(client, doomed)
    assert "doomed.md" in ask(client, "How many racks does the wombat farm run?")
    msg, table, _picker, status = client.predict("doomed.md", "English", api_name="/remove_note")
    assert "kbqa-ok-msg" in msg and "doomed.md" in msg, msg
    assert not (kb / "doomed.md").exists() and doomed.exists() and "doomed.md" not in table
    files, chunks = service.chunk_count()
    assert f"{chunks} passages from {files} notes" in status
    assert "doomed.md" not in ask(client, "How many racks does the wombat farm run?")
    with pytest.raises(AppError):  # the picker only offers the notes it lists
        client.predict("../doomed.md", "English", api_name="/remove_note")
    for bad in ("../doomed.md", str(doomed), ".index/manifest.json", "", "no-such-note.md", "doomed.md"):
        with pytest.raises(UploadError, match="nothing was removed"):
            service.remove_note(bad)
    assert doomed.exists() and (kb / "training.md").exists()
