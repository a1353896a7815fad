"""The Gradio app: Chat, Calculators, Claims, Notes. The only module that imports gradio.

Thin over the library: answers come from `app.answer.assistant.respond`, forms from the
calculator registry, the claims table from `calculators.claims`, ingest status from
the index manifest. Rendering (and escaping) lives in `app.answer.render_html`; the service
(the assistant behind a lock, background index build, uploads) in `app.ui.service`.

No outbound network: analytics are off before gradio is imported, there is no share
link, the theme uses system fonts.

About 600 lines on purpose: the Blocks layout and the event wiring of the four tabs must be declared
in one gradio context; what each tab computes lives in service.py, calc_tab.py and notes_tab.py.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import hashlib  # noqa: E402
import html  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import re  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

import gradio as gr  # noqa: E402

from app.errors import QuestionError  # noqa: E402
from app.question import check_question  # noqa: E402
from app.question.language import detect_language  # noqa: E402
from app.ui.calc_tab import calculator_choices, error_box, form_fields, form_fields_keeping, form_intro, run_form  # noqa: E402
from app.ui.notes_tab import UploadError, note_reader_html, note_titles, notes_status, notes_status_html, read_note_text  # noqa: E402
from app.answer.render_html import answer_html, claim_badge, claim_why, error_html, esc, question_html, status_html  # noqa: E402
from app.answer.words import unit_words  # noqa: E402
from app.ui.service import Service  # noqa: E402
from app.ui.style import CSS, MONO, SANS  # noqa: E402
from app.ui.text import EXAMPLES, LANGUAGES, VIEW_LABELS, duration_words, lang_of, t  # noqa: E402
from calculators.errors import CalculatorError, KbqaError, in_language  # noqa: E402
from calculators.registry import CALCULATORS  # noqa: E402

log = logging.getLogger("kbqa.ui")

MAX_HISTORY = 20  # previous answers kept for follow-ups
MAX_CONVERSATIONS = 30  # conversations kept in the browser (localStorage)

# The page's one script: copy buttons put the answer's Markdown or plain text on the clipboard (never
# its HTML); a citation mark [n], a location or "open in the note" opens the note at its lines in the
# reader (it fills a hidden box and presses a hidden button: the server renders the note).
HEAD = """<script>
document.addEventListener('click', async (e) => {
  const copy = e.target.closest('.kbqa-copy');
  if (copy) {
    e.preventDefault();
    const src = copy.parentElement.querySelector(copy.classList.contains('kbqa-copy-md') ? '.kbqa-src-md' : '.kbqa-src-text');
    const text = src ? src.textContent : '';
    window.__kbqaCopied = text;
    try { await navigator.clipboard.writeText(text); } catch (err) {
      const ta = document.createElement('textarea'); ta.value = text; document.body.appendChild(ta); ta.select();
      try { document.execCommand('copy'); } catch (e2) {} ta.remove();
    }
    copy.classList.add('kbqa-copied'); setTimeout(() => copy.classList.remove('kbqa-copied'), 1500);
    return;
  }
  const ref = e.target.closest('.kbqa-ref, .kbqa-open-note, .kbqa-loc');
  if (!ref) return;
  const answer = ref.closest('.kbqa-answer, .kbqa-absent');
  if (!answer) return;
  const own = ref.closest('.kbqa-cite');
  const n = own ? null : parseInt((ref.textContent.match(/\\d+/) || ['0'])[0], 10);
  let data = null;
  for (const el of answer.querySelectorAll('.kbqa-cite-data')) {
    const d = JSON.parse(el.textContent);
    if ((own && own.contains(el)) || (!own && d.n === n)) { data = d; break; }
  }
  if (!data) return;
  if (!ref.classList.contains('kbqa-loc')) e.preventDefault();
  const box = document.querySelector('#kbqa-open-note textarea, #kbqa-open-note input');
  if (!box) return;
  box.value = JSON.stringify(data);
  box.dispatchEvent(new Event('input', {bubbles: true}));
  setTimeout(() => { const go = document.querySelector('#kbqa-open-go'); if (go) go.click(); }, 60);
});
</script>"""
# after an answer: its headline at the top of the chat box (the chat scrolls to the bottom of a long answer)
SCROLL_TO_ANSWER = "() => { setTimeout(() => { const all = document.querySelectorAll('#kbqa-chat .kbqa-answer, #kbqa-chat .kbqa-absent'); if (all.length) all[all.length - 1].scrollIntoView({block: 'start'}); }, 150); }"
SCROLL_TO_CITED = "() => { setTimeout(() => { const el = document.querySelector('#kbqa-reader .kbqa-cited'); if (el) el.scrollIntoView({block: 'center'}); }, 100); }"


def theme() -> gr.themes.Theme:
    return gr.themes.Default(primary_hue="indigo", font=SANS, font_mono=MONO)


# --- chat -----------------------------------------------------------------------------------------


def _user(text: str) -> dict:
    return {"role": "user", "content": question_html(text)}


def _bot(content: str) -> dict:
    return {"role": "assistant", "content": content}


def make_chat(service: Service):
    def chat(message, messages, history, lang_choice):
        """Answer `message`, streaming: a status line, then the text, then the full answer."""
        messages = list(messages or [])
        history = list(history or [])
        message = message if isinstance(message, str) else ""
        lang = detect_language(message) if message.strip() else lang_of(lang_choice)
        try:
            check_question(message)
        except QuestionError as exc:
            messages += [_user(message), _bot(error_html(str(exc), lang, refused=True))]
            yield messages, history, ""
            return
        messages += [_user(message), _bot(status_html(t("thinking", lang)))]
        if service.settings.llm.base_url or not service.ready.is_set():  # something slow ahead: say so at once
            yield messages, history, ""
        while not service.answerable.wait(1.0):  # first run: nothing of the index is searchable yet
            messages[-1] = _bot(status_html(f"{t('waiting_index', lang)} ({_stage_text(service, lang)})"))
            yield messages, history, ""
        try:
            answer = service.ask(message, history)
        except QuestionError as exc:
            messages[-1] = _bot(error_html(str(exc), lang, refused=True))
            yield messages, history, ""
            return
        except Exception as exc:  # never kill the server: the error becomes a message
            log.exception("answering %r failed", message[:200])
            messages[-1] = _bot(error_html(f"{type(exc).__name__}: {exc}", lang))
            yield messages, history, ""
            return
        # the whole answer at once: it takes tens of milliseconds, and re-sending partial renders of it
        # cost every user a share of the server (measured under 50 clients: benchmarks/ui_load.py)
        messages[-1] = _bot(answer_html(answer, titles=note_titles(service.settings)))
        history = (history + [answer])[-MAX_HISTORY:]
        yield messages, history, ""

    return chat


def stage_key(stage: str) -> str:
    """The label for what the service is doing: loading the encoders is not building the index.

    >>> stage_key("loading index"), stage_key("embed"), stage_key("starting"), stage_key("checking notes")
    ('status_loading', 'status_building', 'status_starting', 'status_starting')
    """
    stage = (stage or "").lower()
    if "load" in stage or "encoder" in stage or "model" in stage:
        return "status_loading"
    if stage in ("", "starting", "checking notes"):
        return "status_starting"
    return "status_building"


def _stage_text(service: Service, lang: str) -> str:
    """'embedding passages 41/246, about 1 min 10 s left', in `lang`."""
    stage, done, total = service.stage
    words = t(f"stage_{stage}", lang)
    words = stage if words == f"stage_{stage}" else words
    if not total:
        return words
    left = service.seconds_left()
    sep = "，" if lang == "zh" else ", "
    return f"{words} {done:,}/{total:,}" + (sep + t("left", lang).format(time=duration_words(left, lang)) if left is not None else "")


def status_line(service: Service, lang: str) -> str:
    building = service.building
    if not service.ready.is_set() and building is not None:  # answering from the build in progress
        sep = "：" if lang == "zh" else ": "
        by = ("+" if lang == "zh" else " + ").join([t("early_keywords", lang), *building.ready])
        return status_html(f"{t('status_early', lang).format(by=by)}{sep}{_stage_text(service, lang)}…")
    if not service.ready.is_set():
        sep = "：" if lang == "zh" else ": "
        return status_html(f"{t(stage_key(service.stage[0]), lang)}{sep}{_stage_text(service, lang)}…")
    if service.error:
        return error_html(t("status_failed", lang).format(error=service.error), lang)
    files, chunks = service.chunk_count()
    warming = f" ({t('status_warming', lang)}…)" if service.warming else ""
    return f'<div class="kbqa-status">✓ {esc(t("status_ready", lang).format(files=files, chunks=chunks) + warming)}</div>'


# --- conversations kept in the browser --------------------------------------------------------------


def _text_of(content) -> str:
    """A chat message's content as one string (Gradio may hand it back as a list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(_text_of(c) for c in content)
    if isinstance(content, dict):
        return str(content.get("text") or content.get("content") or "")
    return str(content or "")


def plain(html_text: str) -> str:
    """Visible text of a small HTML fragment (for a conversation's title).

    >>> plain('<div class="q">GPT-3 &amp; <b>cost</b></div>')
    'GPT-3 & cost'
    """
    return html.unescape(re.sub(r"<[^>]+>", "", html_text)).strip()


def save_conversation(store, conv_id, messages):
    """The conversation on screen written into the browser's store; the list of conversations to return to."""
    store = dict(store or {})
    conversations = [c for c in store.get("conversations", []) if isinstance(c, dict)]
    messages = [{"role": m.get("role"), "content": _text_of(m.get("content"))} for m in (messages or []) if isinstance(m, dict)]
    if not messages:
        return store, conv_id, gr.update()
    conv_id = conv_id or uuid.uuid4().hex[:10]
    first = next((plain(m["content"]) for m in messages if m["role"] == "user"), "…")
    entry = {"id": conv_id, "title": first[:60], "messages": messages, "time": time.time()}
    conversations = [entry] + [c for c in conversations if c.get("id") != conv_id]
    store["conversations"] = conversations[:MAX_CONVERSATIONS]
    return store, conv_id, gr.update(choices=conversation_choices(store), value=conv_id)


def conversation_choices(store) -> list[tuple[str, str]]:
    return [(c.get("title") or "…", c["id"]) for c in (store or {}).get("conversations", []) if isinstance(c, dict) and c.get("id")]


def open_conversation(choice, store):
    """A conversation from the list back on screen (follow-ups start afresh: answers are not stored)."""
    for c in (store or {}).get("conversations", []):
        if isinstance(c, dict) and c.get("id") == choice:
            return c.get("messages", []), choice, []
    return gr.update(), "", []


def restore_latest(store):
    """On page load: the list of conversations, and the latest one on screen."""
    choices = conversation_choices(store)
    if not choices:
        return gr.update(choices=[], value=None), [], ""
    latest = choices[0][1]
    messages, conv_id, _ = open_conversation(latest, store)
    return gr.update(choices=choices, value=latest), messages, conv_id


def browser_secret(service: Service) -> str:
    """The key the browser store is encrypted with: stable for a notes folder, so conversations survive a restart."""
    return hashlib.sha256(f"kbqa-conversations:{service.settings.kb}".encode()).hexdigest()[:32]


def open_note(service: Service, request_json: str, lang_choice: str):
    """The reader opened at a citation: {file, start, end, quote} from the page's script."""
    try:
        req = json.loads(request_json or "{}")
        rel = str(req["file"])
        text = read_note_text(service.settings, rel)
    except (ValueError, KeyError, TypeError):
        return gr.update(), gr.update()
    except Exception as exc:
        return error_html(f"{type(exc).__name__}: {exc}", lang_of(lang_choice)), gr.update(visible=True)
    title = note_titles(service.settings).get(rel, "")
    html_ = note_reader_html(text, int(req.get("start") or 0), int(req.get("end") or 0), str(req.get("quote") or ""), title, rel)
    return html_, gr.update(visible=True)


# --- claims ---------------------------------------------------------------------------------------


def claims_html(service: Service, view: str, lang: str) -> str:
    if not service.ready.is_set():
        return status_html(t("status_building", lang))
    try:
        claims = service.claims()
    except Exception as exc:
        return error_html(f"{type(exc).__name__}: {exc}", lang)
    keep = {"wrong": lambda c: c.holds is False, "right": lambda c: c.holds is True, "unchecked": lambda c: c.holds is None}
    shown = [c for c in claims if keep.get(view, lambda c: True)(c)]
    zh = lang == "zh"
    head = ("核查", "笔记中的算式", "重算结果", "说明", "出处") if zh else ("verdict", "arithmetic in the notes", "recomputed", "why", "source")
    counts = (f"共 {len(claims)} 处算式：{sum(c.holds is True for c in claims)} 处正确，{sum(c.holds is False for c in claims)} 处有误，"
              f"{sum(c.holds is None for c in claims)} 处无法核查" if zh else
              f"{len(claims)} pieces of arithmetic: {sum(c.holds is True for c in claims)} hold, "
              f"{sum(c.holds is False for c in claims)} wrong, {sum(c.holds is None for c in claims)} cannot be checked")
    lines_cache: dict[str, list[str]] = {}
    rows = []
    for c in shown:
        if c.file not in lines_cache:
            try:
                lines_cache[c.file] = read_note_text(service.settings, c.file).split("\n")
            except KbqaError:  # a note gone or unreadable since: its row shows no source line
                lines_cache[c.file] = []
        rows.append(
            f'<tr><td data-label="{head[0]}">{claim_badge(c.holds, lang)}</td><td data-label="{head[1]}"><code>{esc(c.text)}</code></td>'
            f'<td class="kbqa-num" data-label="{head[2]}">{esc(_fmt_value(c.recomputed, c.unit, lang))}</td><td data-label="{head[3]}">{esc(claim_why(c, lang))}</td>'
            f'<td data-label="{head[4]}">{_claim_source(c, lines_cache[c.file])}</td></tr>')
    return (f'<div class="kbqa-claims"><p>{esc(counts)}</p><table class="kbqa-table"><thead><tr>'
            + "".join(f"<th>{h}</th>" for h in head) + f'</tr></thead><tbody>{"".join(rows)}</tbody></table></div>')


def _fmt_value(value, unit: str, lang: str = "en") -> str:
    from calculators.numbers import format_number

    return "" if value is None else f"{format_number(value)} {unit_words(unit, lang)}".strip()


def _claim_source(c, lines: list[str]) -> str:
    """file:line that opens to the line in its note (two lines either side)."""
    lo, hi = max(1, c.line - 2), min(len(lines), c.line + 2)
    context = []
    for n in range(lo, hi + 1):
        text = esc(lines[n - 1])
        context.append(f"<mark>{n}: {text}</mark>" if n == c.line else f"{n}: {text}")
    return (f'<details class="kbqa-claim-src"><summary><code>{esc(c.file)}:{c.line}</code></summary>'
            f'<pre>{"<br>".join(context)}</pre></details>')


def check_arithmetic(text: str, lang_choice: str) -> str:
    from calculators.claims import check_text

    lang = lang_of(lang_choice)
    text = (text or "").strip()
    if not text:
        return error_box("type a piece of arithmetic, e.g. 542*45.5kW*24h=591,864kWh" if lang != "zh" else "请输入一个算式，例如 542*45.5kW*24h=591,864kWh")
    if len(text) > 2000:
        return error_box("at most 2,000 characters" if lang != "zh" else "最多 2000 个字符")
    try:
        found = check_text(text)
    except Exception as exc:
        log.exception("checking arithmetic failed")
        return error_box(f"{type(exc).__name__}: {exc}")
    if not found:
        return error_box("no arithmetic with a stated result found (write it like 3,798/7=542)" if lang != "zh" else "没有找到带结果的算式（例如 3,798/7=542）")
    return "".join(f'<p>{claim_badge(c.holds, lang)} <code>{esc(c.text)}</code> → {esc(claim_why(c, lang))}</p>' for c in found)


# --- notes ----------------------------------------------------------------------------------------


def note_files(service: Service) -> list[tuple[str, str]]:
    """(label, file) for the note picker: the title beside the file name where a note has one."""
    titles = note_titles(service.settings)
    return [(f"{titles[r.file]} ({r.file})" if r.file in titles else r.file, r.file) for r in notes_status(service.settings)]


def make_upload(service: Service):
    def upload(file, lang_choice):
        lang = lang_of(lang_choice)
        zh = lang == "zh"
        if not file:
            msg = error_box("choose a .txt or .md file first" if not zh else "请先选择一个 .txt 或 .md 文件")
            return msg, notes_status_html(notes_status(service.settings), lang), gr.update(), status_line(service, lang)
        path = file if isinstance(file, str) else getattr(file, "name", None) or file.get("path")
        try:
            checked, report = service.add_note(path)
        except UploadError as exc:
            msg = error_box(in_language(exc, lang))
        except Exception as exc:
            log.exception("adding a note failed")
            msg = error_box(f"{type(exc).__name__}: {exc}; nothing was added")
        else:
            if report is None:
                text = (f"{checked.name} 已在笔记中（内容相同），未做改动。" if zh else f"{checked.name} is already in your notes (same content); nothing changed.")
            else:
                text = (f"已添加 {checked.name}（{checked.encoding}，{checked.chunks} 个段落），现在即可检索。" if zh else
                        f"Added {checked.name} ({checked.encoding}, {checked.chunks} passages); it is searchable now.")
            msg = f'<div class="kbqa-ok-msg">✓ {html.escape(text)}</div>'
        files = note_files(service)
        return msg, notes_status_html(notes_status(service.settings), lang), gr.update(choices=files), status_line(service, lang)

    return upload


def make_remove(service: Service):
    def remove(rel, lang_choice):
        """Delete a note (confirmed in the page), re-index, refresh the table, the picker and the status line."""
        lang = lang_of(lang_choice)
        try:
            service.remove_note(rel or "")
        except UploadError as exc:
            msg = error_box(in_language(exc, lang))
        except Exception as exc:
            log.exception("removing a note failed")
            msg = error_box(f"{type(exc).__name__}: {exc}")
        else:
            files, chunks = service.chunk_count()
            msg = f'<div class="kbqa-ok-msg">✓ {html.escape(t("notes_removed", lang).format(file=rel, files=files, chunks=chunks))}</div>'
        choices = note_files(service)
        value = choices[0][1] if choices else None
        return msg, notes_status_html(notes_status(service.settings), lang), gr.update(choices=choices, value=value), status_line(service, lang)

    return remove


def show_note(service: Service, rel: str | None) -> str:
    """A whole note in the reader, with line numbers."""
    if not rel:
        return ""
    try:
        text = read_note_text(service.settings, rel)
    except Exception as exc:
        return error_box(f"{type(exc).__name__}: {exc}")
    return note_reader_html(text, title=note_titles(service.settings).get(rel, ""), rel=rel)


# --- calculators ----------------------------------------------------------------------------------


def run_calculator(name, lang_choice, *texts) -> str:
    """The form's one endpoint: calculator `name` over the visible boxes' text."""
    lang = lang_of(lang_choice)
    calc = CALCULATORS.get(name)
    if calc is None:
        return error_box(f"no calculator named {name!r}" if lang != "zh" else f"没有名为 {name!r} 的计算器")
    try:
        return run_form(name, dict(zip([p.name for p in calc.parameters], texts)), lang)
    except CalculatorError as exc:
        return error_box(in_language(exc, lang))
    except Exception as exc:
        log.exception("calculator %s failed", name)
        return error_box(f"{type(exc).__name__}: {exc}")


def calculator_form(name, lang_choice) -> list:
    """The picker's choice changed: the intro, the boxes relabelled and refilled, the result cleared."""
    lang = lang_of(lang_choice)
    name = name if name in CALCULATORS else next(iter(CALCULATORS))
    return [form_intro(CALCULATORS[name], lang), *[gr.update(**f) for f in form_fields(name, lang)],
            status_html(t("calc_plot_hint", lang))]


def calculator_form_relabelled(name, lang_choice, texts) -> list:
    """The language changed: the intro and boxes relabelled, the values typed kept (defaults shown in the new
    language), and, when every required box is filled, the calculation (or its error) in the new language."""
    lang = lang_of(lang_choice)
    name = name if name in CALCULATORS else next(iter(CALCULATORS))
    fields = form_fields_keeping(name, lang, list(texts))
    filled = all(f["value"] for p, f in zip(CALCULATORS[name].parameters, fields) if p.required)
    result = run_calculator(name, lang_choice, *[f["value"] for f in fields]) if filled else status_html(t("calc_plot_hint", lang))
    return [form_intro(CALCULATORS[name], lang), *[gr.update(**f) for f in fields], result]


def calculators_tab(lang_box, relabel: list):
    """One form whose MAX_FIELDS boxes the picker relabels. Returns (picker, the components calculator_form updates)."""
    first = next(iter(CALCULATORS))
    picker = gr.Dropdown(choices=calculator_choices("en"), value=first, label=t("calc_pick", "en"), elem_id="kbqa-calc-picker")
    relabel.append((picker, "label", "calc_pick"))
    intro_md = gr.Markdown(t("calc_intro", "en"))
    relabel.append((intro_md, "value", "calc_intro"))
    intro = gr.HTML(form_intro(CALCULATORS[first], "en"), elem_id="kbqa-calc-intro")
    boxes = []
    with gr.Row(equal_height=False, elem_id="kbqa-calc-form"):
        for k, spec in enumerate(form_fields(first, "en")):
            boxes.append(gr.Textbox(min_width=220, elem_id=f"kbqa-in-{k}", **spec))
    button = gr.Button(t("calc_run", "en"), variant="primary", elem_id="kbqa-calc-run")
    relabel.append((button, "value", "calc_run"))
    out = gr.HTML(status_html(t("calc_plot_hint", "en")), elem_id="kbqa-calc-out")
    button.click(run_calculator, [picker, lang_box, *boxes], out, api_name="calculate")
    for box in boxes:
        box.submit(run_calculator, [picker, lang_box, *boxes], out, api_name=False)
    form = [intro, *boxes, out]
    picker.change(calculator_form, [picker, lang_box], form, api_name=False, show_progress="hidden")
    return picker, form


# --- the app --------------------------------------------------------------------------------------


def build_app(service: Service) -> gr.Blocks:
    relabel: list[tuple[object, str, str]] = []  # (component, attribute, label key) for the language switch
    with gr.Blocks(title="kbqa", analytics_enabled=False) as demo:
        history = gr.State([])
        store = gr.BrowserState({"conversations": []}, storage_key="kbqa-conversations", secret=browser_secret(service))
        conv_id = gr.State("")
        with gr.Row(equal_height=True):
            with gr.Column(scale=5):
                title = gr.Markdown(f"## {t('title', 'en')}\n{t('subtitle', 'en')}", elem_id="kbqa-title")
            with gr.Column(scale=1, min_width=200):
                lang_box = gr.Radio(list(LANGUAGES), value="English", label=t("language", "en"), elem_id="kbqa-lang")
                relabel.append((lang_box, "label", "language"))
        status = gr.HTML(status_line(service, "en"), elem_id="kbqa-status")

        with gr.Tabs():
            with gr.Tab(t("tab_chat", "en"), id="chat") as tab_chat:
                examples_label = gr.Markdown(t("examples_md", "en"), elem_id="kbqa-examples-label")
                with gr.Row(elem_classes=["kbqa-examples"]):
                    example_buttons = [gr.Button(ex, size="sm", min_width=160, elem_id=f"kbqa-example-{k}") for k, ex in enumerate(EXAMPLES)]
                with gr.Row():
                    with gr.Column(scale=1, min_width=180):
                        new_chat = gr.Button(t("clear", "en"), size="sm", elem_id="kbqa-clear")
                        conv_list = gr.Radio([], label=t("conversations", "en"), elem_id="kbqa-conversations")
                    with gr.Column(scale=4, min_width=300):
                        chatbot = gr.Chatbot(label=t("chat", "en"), show_label=False, height=520, buttons=[], latex_delimiters=[],
                                             sanitize_html=True, allow_tags=False, feedback_options=None, elem_id="kbqa-chat",
                                             layout="bubble", group_consecutive_messages=False)
                        with gr.Row():
                            msg = gr.Textbox(label=t("question", "en"), placeholder=t("question_placeholder", "en"), scale=6,
                                             lines=1, max_lines=6, elem_id="kbqa-question")
                            send = gr.Button(t("send", "en"), variant="primary", scale=1, min_width=90, elem_id="kbqa-send")
                        with gr.Column(visible=False) as reader_box:
                            with gr.Row():
                                reader_title = gr.Markdown(t("reader_md", "en"))
                                reader_close = gr.Button(t("reader_close", "en"), size="sm", scale=0, min_width=80, elem_id="kbqa-reader-close")
                            reader = gr.HTML(elem_id="kbqa-reader")
                open_box = gr.Textbox(visible="hidden", elem_id="kbqa-open-note")
                open_go = gr.Button("open", visible="hidden", elem_id="kbqa-open-go")
                chat = make_chat(service)
                chat_io = dict(fn=chat, inputs=[msg, chatbot, history, lang_box], outputs=[chatbot, history, msg], concurrency_limit=8)
                save_io = dict(fn=save_conversation, inputs=[store, conv_id, chatbot], outputs=[store, conv_id, conv_list], api_name=False,
                               show_progress="hidden")
                send.click(**chat_io, api_name="chat").then(**save_io).then(None, js=SCROLL_TO_ANSWER)
                msg.submit(**chat_io, api_name=False).then(**save_io).then(None, js=SCROLL_TO_ANSWER)
                for button, example in zip(example_buttons, EXAMPLES):  # an example is sent at once
                    button.click(lambda e=example: e, None, msg, api_name=False).then(**chat_io, api_name=False).then(**save_io).then(None, js=SCROLL_TO_ANSWER)
                new_chat.click(lambda: ([], [], "", "", gr.update(value=None)), None, [chatbot, history, msg, conv_id, conv_list], api_name="clear")
                conv_list.input(open_conversation, [conv_list, store], [chatbot, conv_id, history], api_name=False)
                open_go.click(lambda r, lc: open_note(service, r, lc), [open_box, lang_box], [reader, reader_box], api_name=False,
                              show_progress="hidden").then(None, js=SCROLL_TO_CITED)
                reader_close.click(lambda: gr.update(visible=False), None, reader_box, api_name=False)
                relabel += [(tab_chat, "label", "tab_chat"), (chatbot, "label", "chat"), (msg, "label", "question"),
                            (msg, "placeholder", "question_placeholder"), (send, "value", "send"), (new_chat, "value", "clear"),
                            (conv_list, "label", "conversations"), (examples_label, "value", "examples_md"),
                            (reader_title, "value", "reader_md"), (reader_close, "value", "reader_close")]

            with gr.Tab(t("tab_calc", "en"), id="calc") as tab_calc:
                calc_picker, calc_form = calculators_tab(lang_box, relabel)
                calc_boxes = calc_form[1:-1]  # the input boxes (calc_form: intro, boxes, result)
                relabel.append((tab_calc, "label", "tab_calc"))

            with gr.Tab(t("tab_claims", "en"), id="claims") as tab_claims:
                claims_intro = gr.Markdown(t("claims_intro", "en"))
                view = gr.Radio([(VIEW_LABELS["en"][k], k) for k in VIEW_LABELS["en"]], value="all", label=t("claims_filter", "en"))
                claims_box = gr.HTML(claims_html(service, "all", "en"), elem_id="kbqa-claims")
                with gr.Row():
                    arith = gr.Textbox(label=t("claims_check", "en"), placeholder=t("claims_check_placeholder", "en"), scale=5)
                    arith_go = gr.Button(t("claims_check_run", "en"), scale=1)
                arith_out = gr.HTML()
                view.change(lambda v, lc: claims_html(service, v, lang_of(lc)), [view, lang_box], claims_box, api_name="claims")
                arith_go.click(check_arithmetic, [arith, lang_box], arith_out, api_name="check_arithmetic")
                arith.submit(check_arithmetic, [arith, lang_box], arith_out, api_name=False)
                relabel += [(tab_claims, "label", "tab_claims"), (claims_intro, "value", "claims_intro"), (view, "label", "claims_filter"),
                            (arith, "label", "claims_check"), (arith, "placeholder", "claims_check_placeholder"), (arith_go, "value", "claims_check_run")]

            with gr.Tab(t("tab_notes", "en"), id="notes") as tab_notes:
                notes_intro = gr.Markdown(t("notes_intro", "en"))
                notes_box = gr.HTML(notes_status_html(notes_status(service.settings), "en"), elem_id="kbqa-notes")
                with gr.Row():
                    upload_file = gr.File(label=t("notes_upload", "en"), type="filepath", file_count="single", scale=3, elem_id="kbqa-upload")
                    upload_go = gr.Button(t("notes_upload_run", "en"), variant="primary", scale=1, elem_id="kbqa-upload-go")
                upload_msg = gr.HTML(elem_id="kbqa-upload-msg")
                files = note_files(service)
                picker = gr.Dropdown(choices=files, value=files[0][1] if files else None, label=t("notes_view", "en"), elem_id="kbqa-note-picker")
                note_text = gr.HTML(show_note(service, files[0][1]) if files else "", elem_id="kbqa-note-text")
                with gr.Row():
                    remove_ask = gr.Button(t("notes_remove", "en"), size="sm", variant="stop", scale=0, min_width=180, elem_id="kbqa-remove")
                with gr.Row(visible=False, elem_id="kbqa-remove-confirm") as remove_row:
                    remove_q = gr.Markdown()
                    remove_yes = gr.Button(t("notes_remove_yes", "en"), variant="stop", size="sm", scale=0, min_width=140, elem_id="kbqa-remove-yes")
                    remove_no = gr.Button(t("notes_remove_no", "en"), size="sm", scale=0, min_width=100, elem_id="kbqa-remove-no")
                upload_go.click(make_upload(service), [upload_file, lang_box], [upload_msg, notes_box, picker, status], api_name="upload_note",
                                concurrency_limit=1)
                remove_ask.click(lambda rel, lc: (gr.update(value=t("notes_remove_confirm", lang_of(lc)).format(file=f"`{rel}`")), gr.update(visible=bool(rel))),
                                 [picker, lang_box], [remove_q, remove_row], api_name=False, show_progress="hidden")
                remove_no.click(lambda: gr.update(visible=False), None, remove_row, api_name=False, show_progress="hidden")
                remove_yes.click(make_remove(service), [picker, lang_box], [upload_msg, notes_box, picker, status], api_name="remove_note",
                                 concurrency_limit=1).then(lambda: gr.update(visible=False), None, remove_row, api_name=False, show_progress="hidden")
                picker.change(lambda rel: show_note(service, rel), picker, note_text, api_name="read_note")
                relabel += [(tab_notes, "label", "tab_notes"), (notes_intro, "value", "notes_intro"), (upload_file, "label", "notes_upload"),
                            (upload_go, "value", "notes_upload_run"), (picker, "label", "notes_view"), (remove_ask, "value", "notes_remove"),
                            (remove_yes, "value", "notes_remove_yes"), (remove_no, "value", "notes_remove_no")]

        # the index may still be building: refresh the status (and the tables that need it) until ready
        timer = gr.Timer(1.0, active=not service.ready.is_set())

        def tick(lang_choice, view_value):
            lang = lang_of(lang_choice)
            if not service.ready.is_set():
                return status_line(service, lang), gr.update(), gr.update(), gr.update(), gr.Timer(active=True)
            return (status_line(service, lang), claims_html(service, view_value, lang), notes_status_html(notes_status(service.settings), lang),
                    gr.update(choices=note_files(service)), gr.Timer(active=False))

        timer.tick(tick, [lang_box, view], [status, claims_box, notes_box, picker, timer], api_name=False, show_progress="hidden")
        demo.load(tick, [lang_box, view], [status, claims_box, notes_box, picker, timer], api_name=False, show_progress="hidden")
        demo.load(restore_latest, store, [conv_list, chatbot, conv_id], api_name=False, show_progress="hidden")

        def switch(lang_choice, view_value, calc_name, *form_now):
            lang = lang_of(lang_choice)
            updates = [gr.update(value=f"## {t('title', lang)}\n{t('subtitle', lang)}")]
            updates += [gr.update(**{attr: t(key, lang)}) for _, attr, key in relabel]
            updates += [status_line(service, lang), claims_html(service, view_value, lang),
                        notes_status_html(notes_status(service.settings), lang),
                        gr.update(choices=[(VIEW_LABELS[lang][k], k) for k in VIEW_LABELS[lang]], value=view_value),
                        gr.update(choices=calculator_choices(lang)),
                        *calculator_form_relabelled(calc_name, lang_choice, form_now)]
            return updates

        lang_box.change(switch, [lang_box, view, calc_picker, *calc_boxes],
                        [title, *[c for c, _, _ in relabel], status, claims_box, notes_box, view, calc_picker, *calc_form], api_name=False)
    return demo


def _launch_options(service: Service) -> dict:
    return dict(share=False, theme=theme(), css=CSS, head=HEAD, ssr_mode=False, mcp_server=False, pwa=False, enable_monitoring=False,
                show_error=False, footer_links=["api", "settings"],
                # uploads over this are refused by gradio itself; smaller ones get kbqa's own size message
                max_file_size=max(10 * service.settings.max_note_bytes, 20 * 1024 * 1024))


def launch(service: Service, host: str = "127.0.0.1", port: int = 7860) -> None:
    """Serve until interrupted (loopback by default, never a share link)."""
    demo = build_app(service)
    demo.queue(default_concurrency_limit=4, max_size=256)
    demo.launch(server_name=host, server_port=port, **_launch_options(service))


def serve_in_background(service: Service, host: str = "127.0.0.1", port: int | None = None) -> tuple[gr.Blocks, str]:
    """For tests and benchmarks: a real HTTP server on a free loopback port, not blocking. Close with demo.close()."""
    port = port or free_port(host)
    demo = build_app(service)
    demo.queue(default_concurrency_limit=4, max_size=256)
    demo.launch(server_name=host, server_port=port, prevent_thread_lock=True, quiet=True, **_launch_options(service))
    return demo, f"http://{host}:{port}/"


def free_port(host: str = "127.0.0.1") -> int:
    import socket

    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


__all__ = ["build_app", "launch", "serve_in_background", "Service"]
