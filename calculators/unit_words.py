"""Units as a Chinese reader writes them: the canonical unit names of the unit model (calculators/dimensions.py)
in Chinese. Here, beside the unit model, so the calculators' own messages can name units in both languages."""

from __future__ import annotations

import re

# unit atoms in Chinese (a unit is atoms joined by '/': 'USD/hour' -> '美元/小时'); others read the same
UNIT_ZH = {
    "parameter": "参数", "USD": "美元", "CNY": "元", "hour": "小时", "day": "天", "second": "秒", "s": "秒",
    "month": "月", "year": "年", "byte": "字节", "kW": "千瓦", "kWh": "千瓦时", "rack": "机柜", "server": "台服务器",
    "query": "次查询", "word": "字", "visitor": "访客", "question": "问题", "chip": "芯片", "unit": "台",
    "character": "字符", "head": "头", "layer": "层", "sample": "样本", "1K": "千", "W": "瓦",
}


def unit_words(unit: str, lang: str) -> str:
    """A unit as the reader's language writes it.

    >>> unit_words("USD/hour", "zh"), unit_words("FLOP/s", "zh"), unit_words("byte/GPU", "en")
    ('美元/小时', 'FLOP/秒', 'byte/GPU')
    >>> unit_words("USD/GPU-hour", "zh"), unit_words("USD/1K token", "zh"), unit_words("FLOP/parameter-token", "zh")
    ('美元/GPU·小时', '美元/千 token', 'FLOP/参数·token')
    """
    if lang != "zh" or not unit:
        return unit
    # atoms joined by '/', words within an atom by '-' (GPU-hour) or a space (1K token)
    return re.sub(r"[^/\s-]+", lambda m: UNIT_ZH.get(m.group(0), m.group(0)), unit).replace("-", "·")
