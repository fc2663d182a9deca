-- How the detail texts write moments and numbers, defined once so that every check writes them
-- alike. A date always carries its year: a finding is read long after, and a deadline early next
-- year must not read as this year's. Chinese texts write 2025年3月4日, English ones 4 March 2025
-- (a day before its month, so no reader takes 3/4 for April). The runner runs this file before the
-- models (runner.macros).

create or replace macro zh_minute(moment) as strftime(moment, '%Y年%-m月%-d日 %H:%M');

create or replace macro zh_day(moment) as strftime(moment, '%Y年%-m月%-d日');

create or replace macro zh_month(moment) as strftime(moment, '%Y年%-m月');

create or replace macro en_minute(moment) as strftime(moment, '%-d %B %Y %H:%M');

create or replace macro en_day(moment) as strftime(moment, '%-d %B %Y');

create or replace macro en_month(moment) as strftime(moment, '%B %Y');

-- a day or a month in an entity key: a code, which must not change when the texts are reworded
create or replace macro key_day(moment) as strftime(moment, '%Y-%m-%d');

create or replace macro key_month(moment) as strftime(moment, '%Y-%m');

-- the time of day, where the text has named the day already
create or replace macro hh_mm(moment) as strftime(moment, '%H:%M');

-- a number as text, without the .0 of a whole one (24 hours, 1.5 hours)
create or replace macro number_text(value) as regexp_replace(cast(value as varchar), '\.0$', '');

-- a ratio as a whole percentage (0.854 → 85%)
create or replace macro percent_text(ratio) as cast(round(ratio * 100) as integer) || '%';
