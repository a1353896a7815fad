"""Every string of the interface in both languages: a Chinese reader sees no English left over.

The check (`tests/untranslated.py`) looks for Latin-letter words outside names, units and code;
citations of public sources are shown as written and are taken out before it looks.
"""

from __future__ import annotations

import re

import pytest

from app.answer.words import QUANTITY_ZH, quantity_words, unit_words
from app.ui.calc_tab import calculator_choices, form_fields, form_intro, input_text, parse_inputs, run_form
from app.ui.text import LABELS, VIEW_LABELS, t
from calculators.registry import CALCULATORS
from untranslated import english_words, visible_text

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_the_checker_catches_an_untranslated_label():
    assert english_words("界面语言 Interface language") == ["Interface", "language"]
    assert english_words(visible_text("<p>结果： <code>cost = 6·params·tokens</code> 训练 token 数</p>")) == []


@pytest.mark.parametrize("key", sorted(LABELS))
def test_every_label_has_both_languages(key):
    en, zh = LABELS[key]
    assert en.strip() and zh.strip() and en != zh
    assert CJK.search(zh), f"{key}: {zh!r} has no Chinese"
    assert english_words(re.sub(r"\{\w+\}", "", zh), allowed={"kw", "hr"}) == [], f"{key}: {zh!r}"  # {placeholders} aside
    assert t(key, "zh") == zh and t(key, "en") == en


def test_claims_filter_words_in_both_languages():
    assert VIEW_LABELS["en"].keys() == VIEW_LABELS["zh"].keys()
    assert all(CJK.search(v) for v in VIEW_LABELS["zh"].values())


def test_every_calculator_quantity_has_chinese_words():
    names = {p.name for c in CALCULATORS.values() for p in c.parameters} | {o.name for c in CALCULATORS.values() for o in c.calculation.outputs}
    missing = sorted(names - set(QUANTITY_ZH))
    assert missing == [], f"add these to app.answer.words.QUANTITY_ZH: {missing}"
    assert all(CJK.search(quantity_words(n, "", "zh")) for n in names)


def _without_citation(info: str, source: str) -> str:
    """A default's source is a citation, shown as written: only the words around it must be Chinese."""
    cited = source.split(":", 1)[1].strip() if source.split(":", 1)[0] in ("assumption", "default") else source
    return info.replace(cited, "").replace(source, "")


@pytest.mark.parametrize("name", sorted(CALCULATORS))
def test_calculator_form_in_chinese(name):
    calc = CALCULATORS[name]
    fields = form_fields(name, "zh")
    seen = [visible_text(form_intro(calc, "zh"))]
    for p, f in zip(calc.parameters, fields):
        assert f["visible"] and p.name in f["label"]
        seen += [f["label"].replace(f"· {p.name}", ""), _without_citation(f["info"], p.source), f["value"], f["placeholder"]]
    assert not any(f["visible"] for f in fields[len(calc.parameters):])
    left = [(text, english_words(text, allowed={"d", "n", "l"})) for text in seen]
    assert [x for x in left if x[1]] == []
    label = dict((v, k) for k, v in calculator_choices("zh"))[name]
    assert english_words(label, allowed={"d"}) == [], label


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_defaults_are_readable_and_read_back(lang):
    """No 275000000000000 in a box; every default as shown is read back as the default itself."""
    for name, calc in CALCULATORS.items():
        texts = {p.name: f["value"] for p, f in zip(calc.parameters, form_fields(name, lang)) if not p.required}
        assert parse_inputs(calc, texts) == {}, name  # all equal to their defaults: none is 'given'
        assert not any(re.search(r"\d{7,}", v) for v in texts.values()), (name, texts)
    assert input_text(275e12, "FLOP/s", lang) in ("275 trillion FLOP/s", "275万亿 FLOP/s")


def test_unchanged_defaults_keep_their_source_and_changed_ones_are_the_forms():
    texts = {f_name: f["value"] for f_name, f in zip([p.name for p in CALCULATORS["training_cost"].parameters],
                                                       form_fields("training_cost", "en"))}
    texts.update(params="175B", tokens="300B")
    html_ = run_form("training_cost", texts, "en")
    row = re.search(r"<code>peak_flops</code>.*?</tr>", html_).group(0)
    assert "cloud.google.com" in row and ">form<" not in row
    texts["peak_flops"] = "312 TFLOP/s"  # changed: the user's
    row = re.search(r"<code>peak_flops</code>.*?</tr>", run_form("training_cost", texts, "en")).group(0)
    assert "form" in row and "cloud.google.com" not in row
    zh = run_form("training_cost", texts, "zh")
    assert "表单" in zh


def test_plot_follows_the_form_and_its_lines_are_told_apart():
    def legend(html_):
        return re.findall(r"<li>.*?</svg> (.*?)</li>", html_)

    a = run_form("training_cost", {"params": "175B", "tokens": "300B"}, "en")
    b = run_form("training_cost", {"params": "175B", "tokens": "1.4T"}, "en")
    assert len(legend(a)) == 3 and legend(a) != legend(b)
    assert any("300 billion" in x for x in legend(a)) and any("1.4 trillion" in x for x in legend(b))
    dashes = re.findall(r'<polyline[^>]*stroke-dasharray="([^"]*)"', a)
    colours = re.findall(r'<polyline[^>]*stroke="([^"]*)"', a)
    assert len(set(dashes)) == 3 and len(set(colours)) == 3  # colour and dash both differ
    zh = run_form("training_cost", {"params": "175B", "tokens": "300B"}, "zh")
    figure = re.search(r"(?s)<figure.*</figure>", zh).group(0)
    assert english_words(visible_text(figure)) == [], visible_text(figure)


def test_claim_why_in_chinese_from_its_fields():
    from app.answer.render_html import claim_why
    from calculators.claims import check_text

    text = "每日电费约为2,369,640*0.08=4.7万美元。3,798/7=542。542*45.5kW*24h=591,864kWh"
    claims = check_text(text)
    assert len(claims) == 3
    for c in claims:
        why = claim_why(c, "zh")
        assert CJK.search(why) and english_words(why, allowed={"kw", "kwh", "h"}) == [], why
    assert "偏低 75.2%" in claim_why(claims[0], "zh") and "75.2% too low" in claim_why(claims[0], "en")


def test_units_in_chinese():
    assert unit_words("USD/GPU-hour", "zh") == "美元/GPU·小时"
    for calc in CALCULATORS.values():
        for p in calc.parameters:
            assert english_words(unit_words(p.unit, "zh")) == [], p.unit


def _result_text(html_: str) -> str:
    """A result's visible text without its input table's source column (public citations are shown as written)."""
    html_ = re.sub(r"(?s)<table class=\"kbqa-table kbqa-calc-inputs\">.*?</table>", " ", html_)
    return visible_text(re.sub(r"(?s)<code>.*?</code>", " ", html_))


def test_a_calculation_result_speaks_chinese():
    """Under 中文 the result lines name the quantity and write number and unit the Chinese way; derivation
    result rows too; the calculators' own notes and errors are Chinese."""
    from app.ui.app import run_calculator

    html_ = run_form("training_time", {"params": "70B", "tokens": "1.4T", "chips": "2048"}, "zh")
    outputs = re.findall(r'<div class="kbqa-output"><strong>(.*?)</strong>', html_)
    assert [re.sub("<[^>]+>", "", o) for o in outputs] == ["算力预算（FLOP，C） flops = 5.88e23 FLOP", "秒数 seconds = 225.981万 秒",
                                                         "期限（实际天数） days = 26.1553 天"]
    assert "days = 26.1553 天" in html_ and " day<" not in html_ and "second<" not in html_
    assert english_words(_result_text(html_)) == []
    en = run_form("training_time", {"params": "70B", "tokens": "1.4T", "chips": "2048"}, "en")
    assert "days = 26.1553 day" in en and "期限" not in en
    # a notice the calculators write, in the reader's language
    huge = run_form("training_time", {"params": "70B", "tokens": "1.4T", "chips": "2e9"}, "zh")
    assert "不合常理" in huge and english_words(_result_text(huge), allowed={"chips"}) == []
    assert "is implausible" in run_form("training_time", {"params": "70B", "tokens": "1.4T", "chips": "2e9"}, "en")
    # errors
    names = [p.name for p in CALCULATORS["training_time"].parameters]
    for texts, want in ((["70B", "1.4T", "-3"], "chips 必须是正数"), (["abc", "1.4T", "8"], "无法把“abc”读成数量"),
                        (["70B", "1.4T", "8", "", "46"], "是不是想写 46%"), (["70B", "1.4T", "8", "3 GB"], "peak_flops 的单位应为 FLOP/秒；填入的“3 GB”单位是 字节")):
        zh = run_calculator("training_time", "中文", *texts, *[""] * (len(names) - len(texts)))
        assert want in zh, zh
        assert english_words(visible_text(zh), allowed={"abc", "hr", *names}) == [], zh  # $2.03/hr: an example the parser reads


def test_a_chain_note_speaks_both_languages():
    from app.answer.render_text import calculation_text
    from app.answer.model import CalculationPart
    from app.routes.calculation import detect_calculation, run_request

    q = "64 GPUs drawing 300 W each ran for 79.2 hours, and the model has 7 layers: how much energy in kWh?"
    calc = run_request(detect_calculation(q))
    assert calc.unused, calc
    zh = "\n".join(calculation_text(CalculationPart(calc, (), ()), "zh"))
    en = "\n".join(calculation_text(CalculationPart(calc, (), ()), "en"))
    assert "未使用：" in zh and "not used: " in en and calc.outputs[0].value == 1520.64  # the layers are not multiplied in
    assert english_words(zh.split("未使用：", 1)[1], allowed={"layers"}) == [], zh
    # a chain that cannot cancel its counts says so, in the reader's language
    odd = run_request(detect_calculation("A GPU drawing 300 W ran for 79.2 hours: how much energy in kWh?"))
    for lang, word in (("zh", "计数单位"), ("en", "counts do not cancel")):
        text = "\n".join(calculation_text(CalculationPart(odd, (), ()), lang))
        assert word in text, text


def test_a_solved_calculation_writes_its_results_in_the_readers_units():
    """Solving for an input puts a '(solved from ...)' line first; every result line is still written from
    its output, in all three renderers."""
    from app.answer.model import CalculationPart
    from app.answer.render_markdown import calculation_md
    from app.answer.render_text import calculation_text

    solved = CALCULATORS["training_time"].run(solve="chips", params=70e9, tokens=1.4e12, days=30)
    assert "(solved from" in solved.steps[0]
    from app.answer.model import Calculation, Output

    shown = Calculation("training_time", "训练时长", (), solved.formula, solved.steps,
                        tuple(Output(o.name, o.value, o.unit) for o in solved.outputs), solved.notes)
    for render in (lambda c, lang: "\n".join(calculation_text(CalculationPart(c, (), ()), lang)),
                   lambda c, lang: calculation_md(CalculationPart(c, (), ()), lang)):
        zh = render(shown, "zh")
        assert "天" in zh and not re.search(r"\d (day|second)\b", zh), zh
        assert "(solved from" in zh  # the derivation's own lines are kept as written
        en = render(shown, "en")
        assert "days = 29.9921 day" in en and "chips = 1,786 GPU" in en, en
