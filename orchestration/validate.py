"""Contract types and row rules → one DuckDB SELECT per delivered file.

The SELECT reads the registered Arrow table `incoming` (canonical column names, unknown columns
as `_x<i>`) and yields typed values plus, per row, the reasons it breaks the contract. Parsing is
vectorised in DuckDB; Python only writes the SQL.
"""

from __future__ import annotations

import csv
from collections.abc import Collection
from functools import cache

import pyarrow as pa

from core import i18n
from core.contract import (
    BOOL,
    DATE,
    ENUM,
    ENUMS,
    HASH,
    INT,
    LIST,
    NUMBER,
    PERIOD,
    SOURCES,
    SQL_TYPES,
    TIMESTAMP,
    Column,
)
from core.sql import ident, lit, text_list
from models import RULES_DIR

from .readers import ROW_NUMBER

TIMESTAMP_FORMATS = [
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S.%f",
    "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S.%f",
    "%Y年%m月%d日 %H:%M", "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日%H:%M", "%Y年%m月%d日%H:%M:%S",
]
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"]
BOOL_TRUE = ["1", "1.0", "true", "t", "yes", "y", "是"]
BOOL_FALSE = ["0", "0.0", "false", "f", "no", "n", "否"]
LIST_SEPARATORS = "[;；,，、]"
# Excel stores dates as days since 1899-12-30: in a spreadsheet, a bare number in a date column is
# one whose cell lost its date format. In a text file a bare number is not a time (contract §1).
EXCEL_SERIAL = r"\d{5}(\.\d+)?"


@cache
def profile_ids() -> tuple[str, ...]:
    with open(RULES_DIR / "profiles.csv", encoding="utf-8") as fh:
        return tuple(row["profile_id"] for row in csv.DictReader(fh))


def enum_values(enum: str) -> dict[str, str]:
    """Every accepted spelling (code or Chinese label, folded) → code."""
    if enum == "profile":
        return {p: p for p in profile_ids()}
    out = {}
    for code, label in ENUMS[enum].items():
        out[code.lower()] = code
        out[code.lower().replace("_", " ")] = code  # as an English form writes it: basically passed
        out[label.replace("（", "(").replace("）", ")").lower()] = code
    return out


def is_native(col: Column, arrow_type: pa.DataType | None) -> bool:
    """Typed input (Parquet) that already is what the column needs skips text parsing."""
    if arrow_type is None:
        return False
    t = pa.types
    if col.type in (TIMESTAMP, DATE):
        return (t.is_timestamp(arrow_type) and arrow_type.tz is None) or t.is_date(arrow_type)
    if col.type == BOOL:
        return t.is_boolean(arrow_type)
    if col.type == INT:
        return t.is_integer(arrow_type)
    if col.type == NUMBER:
        return t.is_integer(arrow_type) or t.is_floating(arrow_type)
    return False


def strptime(text: str, formats: list[str]) -> str:
    """try_strptime over the formats that can match: each format that fails costs ~1 µs a value,
    and a Chinese date tried against eight other formats first made parsing a quarter's cases 20x
    slower. A format with 年 or / in it can only match text with that character, and vice versa."""
    groups = {mark: [f for f in formats if mark in f] for mark in ("年", "/")}
    rest = [f for f in formats if not any(mark in f for mark in groups)]
    whens = " ".join(f"when contains({text}, {lit(mark)}) then try_strptime({text}, {text_list(fs)})"
                     for mark, fs in groups.items() if fs)
    other = f"try_strptime({text}, {text_list(rest)})" if rest else "null"
    return f"case {whens} else {other} end" if whens else other


def parse_expr(col: Column, text: str, native: bool, spreadsheet: bool = False) -> str:
    if native:
        return f"cast({text} as {SQL_TYPES[col.type]})" if col.type != BOOL or col.nullable else f"coalesce({text}, false)"
    serial = (f"case when regexp_full_match({text}, '{EXCEL_SERIAL}') then timestamp '1899-12-30' "
              f"+ to_microseconds(cast(round(cast({text} as double) * 86400e6) as bigint)) end"
              if spreadsheet else "cast(null as timestamp)")
    # DuckDB's cast reads 24:00 as the next day's midnight; the contract refuses it (no guessing)
    hour_ok = f"{text}[12:13] < '24'"
    # DuckDB's own cast reads ISO text ~50x faster than trying a list of formats, but it also takes
    # forms the contract rejects (a date alone, a UTC offset), so it only sees text shaped like one
    # of TIMESTAMP_FORMATS' dashed forms: YYYY-MM-DD, a space or T, HH:MM[:SS[.digits]], nothing after.
    iso = (f"case when {text}[5] = '-' and {text}[8] = '-' and {text}[11] in (' ', 'T') and {text}[14] = ':' and {hour_ok} "
           f"and (length({text}) = 16 or (length({text}) = 19 and {text}[17] = ':') "
           f"or (length({text}) between 21 and 26 and {text}[17] = ':' and {text}[20] = '.' "
           f"and try_cast({text}[21:] as bigint) is not null)) then try_cast({text} as timestamp) end")
    # Slashed dates (YYYY/MM/DD HH:MM[:SS], what spreadsheets export) are the same text with dashes.
    slashed = (f"case when {text}[5] = '/' and {text}[8] = '/' and {text}[11] = ' ' and {text}[14] = ':' and {hour_ok} "
               f"and (length({text}) = 16 or (length({text}) = 19 and {text}[17] = ':')) "
               f"then try_cast(replace({text}, '/', '-') as timestamp) end")
    iso_date = f"case when length({text}) = 10 and {text}[5] = '-' then try_cast({text} as date) end"
    if col.type == TIMESTAMP:
        # a column people fill in by hand (a review's date) takes a date alone as that day at 00:00
        day = f", cast(coalesce({iso_date}, cast({strptime(text, DATE_FORMATS)} as date)) as timestamp)" if col.date_alone else ""
        return f"coalesce({iso}, {slashed}, {strptime(text, TIMESTAMP_FORMATS)}, {serial}{day})"
    if col.type == DATE:
        return (f"coalesce({iso_date}, cast(coalesce({strptime(text, DATE_FORMATS)}, "
                f"{strptime(text, TIMESTAMP_FORMATS)}, {serial}) as date))")
    if col.type == BOOL:
        return (f"case when {text} is null then {'null' if col.nullable else 'false'} "
                f"when lower({text}) in {tuple(BOOL_TRUE)} then true "
                f"when lower({text}) in {tuple(BOOL_FALSE)} then false end")
    if col.type == INT:
        # DuckDB's cast rounds text with a fraction ('3.5' became 4): only a whole number in any
        # written form (7, 7.0, 7e0) is one; anything else is quarantined
        whole = (f"case when try_cast({text} as double) = floor(try_cast({text} as double)) "
                 f"then try_cast(try_cast({text} as double) as bigint) end")
        return (f"case when contains({text}, '.') or contains(lower({text}), 'e') then {whole} "
                f"else try_cast({text} as bigint) end")
    if col.type == NUMBER:
        return f"try_cast(replace({text}, '%', '') as double)"
    if col.type == ENUM:
        # A map lookup, not CASE … WHEN: a CASE tries its spellings one by one, which took 3 s of a
        # month of device log delivered with Chinese labels. The text as delivered is tried before
        # its folded case and brackets, since most values already are a code or a label.
        folded = f"lower(replace(replace({text}, '（', '('), '）', ')'))"
        spellings = "map {" + ", ".join(f"{lit(k)}: {lit(v)}" for k, v in enum_values(col.enum).items()) + "}"
        return f"coalesce({spellings}[{text}], {spellings}[{folded}])"
    if col.type == HASH:
        return f"case when regexp_full_match(lower({text}), '[0-9a-f]{{64}}') then lower({text}) end"
    if col.type == PERIOD:
        # a year, a quarter or a month as the contract writes them: 2025, 2025Q3, 2025-07
        return f"case when regexp_full_match(upper({text}), '\\d{{4}}(Q[1-4]|-(0[1-9]|1[0-2]))?') then upper({text}) end"
    if col.type == LIST:
        return (f"list_filter(list_transform(regexp_split_to_array({text}, '{LIST_SEPARATORS}'), "
                f"lambda x: trim(x)), lambda x: x <> '')")
    return text


def trimmed(text: str) -> str:
    """trim(text), which strips Unicode space separators (Zs) from both ends, without copying the
    text where it cannot start or end with one: it starts with a printable ASCII character, is ASCII
    throughout and does not end in a space. Copying every value was two fifths of parsing a file."""
    return (f"case when {text} < '!' or {text} >= '\u0080' or ends_with({text}, ' ') "
            f"or strlen({text}) <> length({text}) then trim({text}) else {text} end")


def message_sql(key: str, value_sql: str | None = None, **args) -> tuple[str, str]:
    """The catalogue message as SQL string expressions (zh, en), with `value` filled in by SQL."""
    out = []
    for lang in ("zh", "en"):
        template = i18n.text(key, lang, value="\x00", **args)
        head, _, tail = template.partition("\x00")
        out.append(lit(head) if value_sql is None else
                   f"{lit(head)} || coalesce(cast({value_sql} as varchar), '') || {lit(tail)}")
    return out[0], out[1]


def drawn_sql(case_col: str, period_col: str) -> str:
    """The (ledger period, case) pairs of `typed` that the spot-check ledger draws, drawn as
    mart_spot_check_ledger draws (macros/spot_check.sql) from every closed case loaded so far, with
    the seed and size in force: only the units and periods the file names are drawn."""
    from core.settings import load_settings

    settings = load_settings()
    return f"""
        with named as (
            select distinct ledger_period({period_col}) as period, {case_col} as case_id
            from typed where {period_col} is not null and {case_col} is not null
        ),
        closed_cases as (
            select case_id, unit_id, closed_at from raw_cases
            anti join (select replaced_file_id as _file_id, replaced_row_number as _row_number
                       from load_replacements where source = 'cases') using (_file_id, _row_number)
            where closed_at is not null
        ),
        ledgers as (
            select distinct closed_cases.unit_id, named.period
            from named inner join closed_cases using (case_id)
        ),
        draws as (
            select ledgers.period, closed_cases.case_id
            from closed_cases
            inner join ledgers
                on ledgers.unit_id = closed_cases.unit_id
                and list_contains(ledger_periods(closed_cases.closed_at), ledgers.period)
            qualify row_number() over (
                partition by ledgers.unit_id, ledgers.period
                order by spot_check_draw_key({int(settings.spot_check_seed)}, ledgers.period, closed_cases.case_id)
            ) <= {int(settings.spot_check_per_unit)}
        )
        select period as drawn_period, case_id as drawn_case_id from draws semi join named using (period, case_id)"""


BAD_KEY = {TIMESTAMP: "bad_timestamp", DATE: "bad_date", BOOL: "bad_bool", INT: "bad_int",
           NUMBER: "bad_number", ENUM: "bad_enum", HASH: "bad_hash", PERIOD: "bad_period"}


def file_select(source: str, arrow_types: dict[str, pa.DataType | None], headers: dict[str, str],
                extras: dict[str, str], rows: str = "incoming", large_targets: Collection[str] = (),
                spreadsheet: bool = False) -> str:
    """SELECT over `incoming` → typed columns, `_extra` (JSON of unknown columns), `_row_number`,
    `reason_codes` and, for a row with reasons only, `_raw` (the row as delivered, JSON keyed by
    its headers) and the reasons in words (`reason_zh`, `reason_en`). `rows` is the relation (a name or
    a parenthesised query) of `incoming`'s rows to parse, when it is not all of them.

    `arrow_types` maps each canonical column present in the file to its Arrow type; columns not
    delivered are NULL. `headers` maps each of them to the header it was delivered under, and
    `extras` the incoming name of each unknown column to its header. Foreign keys are checked against every key ever loaded (raw_<target>),
    plus, for a self-reference, the keys of this same file. For a target in `large_targets` (one
    with more rows than the file) only the keys the file names are looked up: hashing the file's
    values and scanning the target beats grouping every key of the target, which for an access log
    checked against every recording took 1.2 of its 1.5 s; for a small register the reverse holds.
    """
    src = SOURCES[source]
    texts, typed, checks, joins, ctes = [], [], [], [], []
    for col in src.columns:
        present = col.name in arrow_types
        native = present and is_native(col, arrow_types[col.name])
        t = ident("t__" + col.name)
        raw = ident(col.name)
        if not present:
            text = f"cast(null as {'varchar' if not native else SQL_TYPES[col.type]})"
        elif native:
            text = raw
        else:
            text = f"nullif({trimmed(f'cast({raw} as varchar)')}, '')"
        texts.append(f"{text} as {t}")
        typed.append(t)
        typed.append(f"{parse_expr(col, t, native, spreadsheet)} as {raw}")
        label = {lang: i18n.column_label(source, col.name, lang) for lang in ("zh", "en")}

        def check(cond: str, code: str, key: str, value_sql: str | None = None, **args):
            zh_args = {k: (v["zh"] if isinstance(v, dict) else v) for k, v in args.items()}
            en_args = {k: (v["en"] if isinstance(v, dict) else v) for k, v in args.items()}
            zh, _ = message_sql(key, value_sql, col=label["zh"], **zh_args)
            _, en = message_sql(key, value_sql, col=label["en"], **en_args)
            checks.append((cond, f"{code}:{col.name}", zh, en))

        if col.required:
            check(f"{t} is null", "missing", "missing")
            if col.type == LIST:
                check(f"{t} is not null and len({raw}) = 0", "list_empty", "list_empty")
        if col.type in BAD_KEY and not native:
            check(f"{t} is not null and {raw} is null", BAD_KEY[col.type], BAD_KEY[col.type], t)
        if col.min_value is not None:
            check(f"{raw} < {col.min_value}", "below_min", "below_min", raw, min=col.min_value)
        if col.not_before:
            other = {lang: i18n.column_label(source, col.not_before, lang) for lang in ("zh", "en")}
            check(f"{raw} < {ident(col.not_before)}", "before", "before", other=other)
        if col.required_when:
            flag = {lang: i18n.column_label(source, col.required_when, lang) for lang in ("zh", "en")}
            check(f"{ident(col.required_when)} and {t} is null", "missing", "missing_when", flag=flag)
        if col.fk:
            target = SOURCES[col.fk]
            keys = f"select {ident(target.key[0])} as k from raw_{col.fk}"
            if col.fk == source:
                keys += f" union select {ident(target.key[0])} from incoming"
            tgt = {lang: i18n.source_label(col.fk, lang) for lang in ("zh", "en")}
            alias = ident("fk__" + col.name)
            if col.type == LIST:
                ctes.append(
                    f"{alias} as (select {ROW_NUMBER}, string_agg(x, '、' order by x) as missing "
                    f"from (select {ROW_NUMBER}, unnest({raw}) as x from typed) "
                    f"where x not in ({keys}) group by {ROW_NUMBER})")
                joins.append(f"left join {alias} using ({ROW_NUMBER})")
                check(f"{alias}.missing is not null", "fk", "fk", f"{alias}.missing", target=tgt)
            else:
                named = (f" semi join (select distinct {text} as k from {rows}) as named on target.k = named.k"
                         if col.fk in large_targets else "")
                ctes.append(f"{alias} as (select distinct target.k from ({keys}) as target{named})")
                joins.append(f"left join {alias} on typed.{raw} = {alias}.k")
                check(f"typed.{raw} is not null and {alias}.k is null", "fk", "fk", f"typed.{raw}", target=tgt)
        if col.drawn_in:
            alias, fk_alias = ident("drawn__" + col.name), ident("fk__" + col.name)
            ctes.append(f"{alias} as ({drawn_sql(raw, ident(col.drawn_in))})")
            joins.append(f"left join {alias} on typed.{raw} = {alias}.drawn_case_id "
                         f"and ledger_period(typed.{ident(col.drawn_in)}) = {alias}.drawn_period")
            period = {lang: i18n.column_label(source, col.drawn_in, lang) for lang in ("zh", "en")}
            check(f"typed.{raw} is not null and typed.{ident(col.drawn_in)} is not null and {fk_alias}.k is not null "
                  f"and {alias}.drawn_case_id is null", "not_drawn", "not_drawn", f"typed.{raw}", period=period)

    extra_json = ("to_json({" + ", ".join(f"{lit(h)}: {ident(e)}" for e, h in extras.items()) + "})"
                  if extras else "cast(null as varchar)")
    raw_json = "to_json({" + ", ".join([f"{lit(h)}: typed.{ident('t__' + c)}" for c, h in headers.items()]
                                      + [f"{lit(h)}: typed.{ident(e)}" for e, h in extras.items()]) + "})"
    # Rows with a reason are few: the test that finds none is one OR, and the list of codes, the
    # delivered row and the reasons in words are only built for the rows it finds.
    is_bad = " or ".join(f"coalesce({c}, false)" for c, _, _, _ in checks) or "false"
    codes = "list_filter([" + ", ".join(f"case when {c} then {lit(code)} end" for c, code, _, _ in checks) + "], lambda x: x is not null)"
    zh = "concat_ws('；', " + ", ".join(f"case when {c} then {m} end" for c, _, m, _ in checks) + ")"
    en = "concat_ws('; ', " + ", ".join(f"case when {c} then {m} end" for c, _, _, m in checks) + ")"
    extra_cols = "".join(f", {ident(e)}" for e in extras)
    typed_cols = ", ".join(f"typed.{ident(c.name)}" for c in src.columns)
    return f"""
with txt as (
    select {ROW_NUMBER}, {', '.join(texts)}, {extra_json} as _extra{extra_cols} from {rows}
),
typed as (
    select {ROW_NUMBER}, {', '.join(typed)}, _extra{extra_cols} from txt
){''.join(', ' + c for c in ctes)}
select {typed_cols}, typed._extra, typed.{ROW_NUMBER},
    case when {is_bad} then {codes} else []::varchar[] end as reason_codes,
    case when {is_bad} then {raw_json} end as _raw,
    case when {is_bad} then {zh} end as reason_zh,
    case when {is_bad} then {en} end as reason_en
from typed {' '.join(joins)}
"""
