"""The articles a finding's citation names (《办法》第九条第（一）项、第（二）项), read so that they can be
put in the regulation's order: 第八条 before 第十条, which the order of the characters does not give."""

from __future__ import annotations

import re

ARTICLE = re.compile(r"第[〇零一二三四五六七八九十百]+条")
ITEM = re.compile(r"第[（(]([〇零一二三四五六七八九十]+)[）)]项")


def pieces(articles: str) -> list[tuple[str, str]]:
    """(article, what follows it) of each article a citation lists: 第九条第（一）项、第（二）项 →
    (第九条, 第（一）项), (第九条, 第（二）项); a range (第八条至第十八条) is its first article's."""
    out, article = [], ""
    for part in (p.strip() for p in articles.split("、")):
        if not part:
            continue
        if found := ARTICLE.match(part):
            article = found.group(0)
            out.append((article, part[found.end():]))
        elif article and ITEM.fullmatch(part):
            out.append((article, part))
        else:  # a form not known: said as it is, after the articles
            out.append((part, ""))
            article = ""
    return out


def article_order(piece: tuple[str, str]) -> tuple:
    """A piece's place: by its article's number, the whole article before its items, items by number;
    a form not known after them all."""
    article, rest = piece
    if not ARTICLE.fullmatch(article):
        return (1, 0, 0, 0)
    item = ITEM.match(rest)
    return (0, _chinese_number(article[1:-1]), 1 if rest else 0, _chinese_number(item.group(1)) if item else 0)


def _chinese_number(text: str) -> int:
    """二十三 → 23, 十 → 10, 一百零二 → 102."""
    total = digit = 0
    for ch in text:
        if ch in "十百":
            total += (digit or 1) * (10 if ch == "十" else 100)
            digit = 0
        else:
            digit = "〇一二三四五六七八九".find(ch.replace("零", "〇"))
    return total + digit


def citation_order(citation: str | None) -> tuple:
    """A citation's place among others: by regulation, then by the articles it names, in order."""
    regulation, _, articles = (citation or "").rpartition("》")
    return regulation, tuple(article_order(p) for p in pieces(articles))
