"""The interface's words in English and Chinese (the 中文 / English switch).

Answers follow the question's language; these labels follow the switch.

>>> t("send", "zh"), t("send", "en")
('发送', 'Ask')
>>> t("no such label", "en")
'no such label'
"""

from __future__ import annotations

LANGUAGES = {"English": "en", "中文": "zh"}

LABELS: dict[str, tuple[str, str]] = {
    # key: (English, 中文)
    "title": ("kbqa: ask your notes", "kbqa：向你的笔记提问"),
    "subtitle": (
        "Answers quote your notes with citations; every figure is computed by a verified calculator. Offline.",
        "答案引用笔记原文并标注出处；所有数字都由经过验证的计算器算出。完全离线运行。",
    ),
    "language": ("Interface language", "界面语言"),
    "tab_chat": ("Chat", "问答"),
    "tab_calc": ("Calculators", "计算器"),
    "tab_claims": ("Claims", "数字核查"),
    "tab_notes": ("Notes", "笔记"),
    "question": ("Your question", "你的问题"),
    "question_placeholder": (
        "Ask about training cost, serving cost, GPUs, racks, power... (Enter to send)",
        "问训练成本、推理成本、GPU、机柜、电力……（回车发送）",
    ),
    "send": ("Ask", "发送"),
    "clear": ("New conversation", "新对话"),
    "examples": ("Examples (English and 中文)", "示例问题（中英文）"),
    "examples_md": ("**Examples (English and 中文): click to ask**", "**示例问题（中英文）：点击即可提问**"),
    "conversations": ("Conversations", "对话记录"),
    "reader": ("Note", "笔记原文"),
    "reader_md": ("**Note, opened at the cited lines**", "**笔记原文（已定位到引用的行）**"),
    "reader_close": ("Close", "关闭"),
    "status_loading": ("Loading the encoders", "正在加载编码模型"),
    "status_starting": ("Starting", "正在启动"),
    "chat": ("Conversation", "对话"),
    "status_building": ("Building the index of your notes", "正在为笔记建立索引"),
    "status_early": ("Answering already, by {by}, while the index is built", "已可提问（{by}），索引仍在建立"),
    "early_keywords": ("keyword search", "关键词检索"),
    "status_ready": ("Ready: {chunks} passages from {files} notes.", "就绪：{files} 篇笔记，共 {chunks} 个段落。"),
    "status_failed": ("The index could not be built: {error}", "索引建立失败：{error}"),
    "status_warming": ("loading the encoders in the background", "正在后台加载编码模型"),
    "stage_checking notes": ("checking which notes changed", "检查哪些笔记有改动"),
    "stage_loading index": ("loading the index", "加载索引"),
    "stage_read": ("reading notes", "读取笔记"),
    "stage_embed": ("embedding passages", "计算段落向量"),  # counted once per encoder
    "stage_bm25": ("building the keyword index", "建立关键词索引"),
    "stage_starting": ("starting", "启动中"),
    "left": ("about {time} left", "预计还需 {time}"),
    "thinking": ("Reading your notes…", "正在查阅笔记……"),
    "waiting_index": ("Waiting for the index to finish building…", "正在等待索引建立完成……"),
    "calc_pick": ("Calculator", "计算器"),
    "calc_run": ("Calculate", "计算"),
    "calc_intro": (
        "Each form comes from the calculator registry. Inputs accept 175B, 1750亿, $2.03/hr, 46.2%, 6.5kW...; "
        "defaults come from your notes (with their citation) or a public spec.",
        "每个表单都由计算器注册表生成。输入可写 175B、1750亿、$2.03/hr、46.2%、6.5kW 等；"
        "默认值来自笔记（附出处）或公开规格。",
    ),
    "calc_required": ("required", "必填"),
    "calc_default_from": ("default from", "默认值出处："),
    "calc_gives": ("Gives:", "结果："),
    "calc_plot_hint": ("Press Calculate: the result comes with a plot of it around your values.",
                       "点击“计算”：结果下方会画出它在你所填数值附近的变化。"),
    "plot_title": ("{y} against {x} (log scales), around the form's values", "{y}随{x}的变化（对数坐标），以表单中的数值为中心"),
    "family_training": ("training", "训练"),
    "family_gpu_hours": ("GPU-hours", "GPU 小时"),
    "family_serving": ("serving", "推理服务"),
    "family_racks": ("racks and power", "机柜与电力"),
    "family_memory": ("memory", "显存"),
    "family_scaling": ("scaling laws", "缩放定律"),
    "family_search": ("search economics", "搜索经济"),
    "family_growth": ("growth", "增长率"),
    "claims_intro": (
        "Every piece of arithmetic written in your notes, recomputed exactly. Open a source to see the line in its note.",
        "笔记中写下的每一处算式都被精确重算。展开出处可查看它在笔记中的原文。",
    ),
    "claims_filter": ("Show", "显示"),
    "claims_check": ("Check a piece of arithmetic", "核查一个算式"),
    "claims_check_placeholder": ("e.g. 542*45.5kW*24h=591,864kWh", "例如 542*45.5kW*24h=591,864kWh"),
    "claims_check_run": ("Check", "核查"),
    "notes_intro": (
        "Your notes and how they were indexed. Add a .txt or .md note: it is checked, copied into the notes folder and indexed at once.",
        "你的笔记及其索引状态。添加 .txt 或 .md 笔记：先检查，再复制到笔记文件夹并立即建立索引。",
    ),
    "notes_upload": ("Add a note (.txt, .md)", "添加笔记（.txt、.md）"),
    "notes_upload_run": ("Add to my notes", "加入我的笔记"),
    "notes_view": ("Read a note", "阅读笔记"),
    "notes_text": ("Note text", "笔记原文"),
    "notes_remove": ("Remove this note…", "删除这篇笔记……"),
    "notes_remove_confirm": ("Delete {file} from the notes folder and the index? This cannot be undone.",
                             "从笔记文件夹和索引中删除 {file}？此操作无法撤销。"),
    "notes_remove_yes": ("Yes, delete it", "确认删除"),
    "notes_remove_no": ("Cancel", "取消"),
    "notes_removed": ("Removed {file}; the index now has {chunks} passages from {files} notes.",
                      "已删除 {file}；索引现有 {files} 篇笔记，共 {chunks} 个段落。"),
}

VIEW_LABELS = {
    "en": {"all": "all", "wrong": "wrong", "right": "right", "unchecked": "cannot be checked"},
    "zh": {"all": "全部", "wrong": "有误", "right": "正确", "unchecked": "无法核查"},
}

EXAMPLES = [
    "How much did it cost to train GPT-3?",
    "How many A100 GPUs are needed for 25 million daily visitors?",
    "Is 2,369,640*0.08=4.7万美元 right?",
    "GPT-3训练一次要多少钱？",
    "一个机柜可以放几台DGX A100服务器？",
    "训练一个1万亿参数、3000亿token的模型需要多少算力？",
]


def t(key: str, lang: str) -> str:
    """The label `key` in 'en' or 'zh' (the key itself when unknown, so a typo shows rather than crashes)."""
    pair = LABELS.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "zh" else pair[0]


def duration_words(seconds: float, lang: str) -> str:
    """A time left as people say it.

    >>> duration_words(75, "en"), duration_words(75, "zh"), duration_words(8, "en"), duration_words(3700, "zh")
    ('1 min 15 s', '1 分 15 秒', '8 s', '1 小时 1 分')
    """
    s = max(0, int(round(seconds)))
    h, m, sec = s // 3600, s % 3600 // 60, s % 60
    units = ("小时", "分", "秒") if lang == "zh" else ("h", "min", "s")
    parts = [(h, units[0]), (m, units[1])] if h else [(m, units[1]), (sec, units[2])] if m else [(sec, units[2])]
    return " ".join(f"{n} {u}" for n, u in parts)


def lang_of(choice: str | None) -> str:
    """'en' | 'zh' from the switch's value.

    >>> lang_of("中文"), lang_of("English"), lang_of(None)
    ('zh', 'en', 'en')
    """
    return LANGUAGES.get(choice or "", "en")
