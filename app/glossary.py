"""A bilingual glossary of the notes' domain (LLM economics), for query expansion.

Most questions are English over Chinese text, where BM25 on the English words finds
nothing. Adding the Chinese terms for the English words of the question (and the
English for Chinese words) lets the lexical side of retrieval work across languages.
The glossary is about the domain, not about any one note.
"""

from __future__ import annotations

import re

# English term (lower case; a phrase matches as a whole) -> Chinese terms
EN_ZH: dict[str, tuple[str, ...]] = {
    "cost": ("成本", "费用", "花费", "开销"),
    "costs": ("成本", "费用"),
    "price": ("价格", "售价", "价"),
    "priced": ("价格", "售价"),
    "sell": ("售价",),
    "spend": ("花费", "耗资"),
    "expensive": ("成本高", "昂贵"),
    "cheap": ("便宜", "低成本"),
    "train": ("训练",),
    "training": ("训练",),
    "trained": ("训练",),
    "pre-training": ("预训练",),
    "pretraining": ("预训练",),
    "post-training": ("后训练",),
    "fine-tuning": ("微调",),
    "inference": ("推理",),
    "serving": ("推理", "运营"),
    "model": ("模型",),
    "models": ("模型",),
    "large model": ("大模型",),
    "language model": ("语言模型",),
    "parameter": ("参数",),
    "parameters": ("参数", "参数量"),
    "params": ("参数",),
    "token": ("token",),
    "tokens": ("token",),
    "word": ("字", "词", "单词"),
    "words": ("字", "词", "单词"),
    "gpu": ("GPU", "显卡"),
    "gpus": ("GPU", "显卡"),
    "chip": ("芯片",),
    "chips": ("芯片",),
    "server": ("服务器",),
    "servers": ("服务器",),
    "rack": ("机柜",),
    "racks": ("机柜",),
    "data center": ("数据中心", "IDC"),
    "data centers": ("数据中心", "IDC"),
    "compute": ("算力", "计算"),
    "computing": ("算力", "计算"),
    "computing power": ("算力",),
    "flops": ("FLOPS", "算力"),
    "utilization": ("利用率",),
    "utilisation": ("利用率",),
    "throughput": ("吞吐量",),
    "bandwidth": ("带宽",),
    "memory": ("内存", "显存"),
    "precision": ("精度",),
    "electricity": ("电费", "电力", "耗电"),
    "power": ("功率", "电力", "耗电"),
    "energy": ("电力", "能耗"),
    "kwh": ("度电", "kWh"),
    "cooling": ("散热",),
    "heat": ("散热",),
    "hour": ("小时", "时"),
    "hourly": ("时薪", "每小时"),
    "hours": ("小时",),
    "day": ("天", "日", "每天"),
    "daily": ("每天", "每日", "日"),
    "days": ("天",),
    "month": ("月",),
    "monthly": ("每月",),
    "year": ("年",),
    "annual": ("每年", "年"),
    "per": ("每",),
    "search": ("搜索",),
    "searches": ("搜索",),
    "query": ("查询",),
    "queries": ("查询",),
    "revenue": ("收入", "营收"),
    "advertising": ("广告",),
    "ad": ("广告",),
    "margin": ("毛利率", "利润"),
    "gross margin": ("毛利率",),
    "profit": ("利润",),
    "cache": ("缓存",),
    "hit rate": ("命中率",),
    "visitors": ("访客", "访问量"),
    "visits": ("访问量",),
    "traffic": ("访问量", "流量"),
    "users": ("用户",),
    "user": ("用户",),
    "answer": ("回答", "答案"),
    "answers": ("回答",),
    "prompt": ("提示",),
    "generate": ("生成",),
    "generation": ("生成",),
    "chat": ("聊天", "对话"),
    "conversation": ("对话", "聊天"),
    "tweet": ("推文", "推特", "Twitter"),
    "instance": ("实例",),
    "instances": ("实例",),
    "cloud": ("云", "公有云"),
    "public cloud": ("公有云",),
    "reserved": ("预定", "预留"),
    "fall": ("下降", "降低"),
    "fallen": ("下降", "降低"),
    "decline": ("下降", "降低"),
    "drop": ("下降",),
    "reduce": ("降低", "减少"),
    "increase": ("提升", "增长"),
    "improve": ("提升", "改进"),
    "growth": ("增长",),
    "generation of": ("每一代",),
    "each generation": ("每一代",),
    "gap": ("差距",),
    "behind": ("差距", "滞后"),
    "china": ("中国",),
    "chinese": ("中国", "中文"),
    "western": ("西部",),
    "eastern": ("东部",),
    "west": ("西部", "西"),
    "east": ("东部", "东"),
    "drawback": ("缺点", "问题", "劣势"),
    "drawbacks": ("缺点", "问题", "劣势"),
    "disadvantage": ("缺点", "劣势"),
    "advantage": ("优势", "优点"),
    "why": ("原因", "因为"),
    "smartphone": ("智能手机",),
    "smartphones": ("智能手机",),
    "killer app": ("killer app", "杀手级应用"),
    "short video": ("短视频",),
    "data": ("数据",),
    "algorithm": ("算法",),
    "algorithms": ("算法",),
    "hardware": ("硬件",),
    "upper limit": ("上限",),
    "engineering": ("工程",),
    "technical": ("技术",),
    "technology": ("技术",),
    "industry": ("行业",),
    "insiders": ("行业人士",),
    "investment": ("投资",),
    "funding": ("投资", "融资"),
    "startup": ("创业",),
    "startups": ("创业",),
    "open source": ("开源",),
    "speed": ("速度",),
    "twice": ("两倍", "翻倍"),
    "double": ("翻倍", "两倍"),
    "latency": ("延迟",),
    "estimate": ("估算", "估计", "预估"),
    "estimated": ("估算", "估计", "预估"),
    "assumed": ("假设",),
    "assume": ("假设",),
    "summarizer": ("摘要",),
    "summary": ("摘要", "总结"),
    "stage": ("阶段",),
    "mixed-precision": ("混合精度",),
    "mixed precision": ("混合精度",),
    "optimizer": ("优化器",),
    "gradients": ("梯度",),
    "scaling law": ("缩放定律", "扩展定律"),
    "moore's law": ("摩尔定律",),
    "value": ("价值",),
    "copyright": ("版权",),
    "music": ("音乐",),
    "video": ("视频",),
    "image": ("图像", "图片"),
    "images": ("图像", "图片"),
    "speech": ("语音",),
    "voice": ("语音",),
    "assistant": ("助理", "助手"),
    "white collar": ("白领",),
    "education": ("教育",),
    "how long": ("多久", "时间"),
    "time": ("时间",),
    "how many": ("多少",),
    "how much": ("多少",),
    "total": ("总",),
    "need": ("需要",),
    "needed": ("需要",),
    "require": ("需要",),
    "requires": ("需要",),
    "consume": ("消耗",),
    "consumed": ("消耗",),
    "consumption": ("消耗",),
    "searches per month": ("每月", "搜索次数"),
    "format": ("格式",),
    "formats": ("格式",),
    "low-precision": ("低精度",),
    "east data west computing": ("东数西算",),
}

ZH_EN: dict[str, tuple[str, ...]] = {}
for _en, _zhs in EN_ZH.items():
    for _zh in _zhs:
        ZH_EN.setdefault(_zh.lower(), ())
        ZH_EN[_zh.lower()] += (_en,)

_PHRASES = sorted(EN_ZH, key=len, reverse=True)
_PHRASE_RE = re.compile(r"(?<![a-z0-9])(" + "|".join(re.escape(p) for p in _PHRASES) + r")(?![a-z0-9])")


def expand_english(question: str) -> list[str]:
    """Chinese terms for the English domain words of a question.

    >>> expand_english("What cache hit rate was assumed?")
    ['缓存', '命中率', '假设']
    """
    terms: list[str] = []
    for match in _PHRASE_RE.finditer(question.lower()):
        for zh in EN_ZH[match.group(1)]:
            if zh not in terms:
                terms.append(zh)
    return terms


def expand_chinese(question: str) -> list[str]:
    """English terms for the Chinese domain words of a question (longest words first).

    >>> expand_chinese("机柜的功率")
    ['rack', 'racks', 'power']
    """
    terms: list[str] = []
    lowered = question.lower()
    for zh in sorted(ZH_EN, key=len, reverse=True):
        if len(zh) >= 2 and zh in lowered:
            for en in ZH_EN[zh]:
                if en not in terms:
                    terms.append(en)
    return terms
