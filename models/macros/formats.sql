-- How the detail texts write moments and numbers, defined once so that every check writes them
-- alike: Chinese texts name the day as 3月4日 (with the year where a date may be years away),
-- English ones as 2025-03-04. The runner runs this file before the models (runner.macros).

create or replace macro zh_minute(moment) as strftime(moment, '%-m月%-d日 %H:%M');

create or replace macro zh_day(moment) as strftime(moment, '%-m月%-d日');

create or replace macro zh_year_day(moment) as strftime(moment, '%Y年%-m月%-d日');

create or replace macro zh_month(moment) as strftime(moment, '%Y年%-m月');

create or replace macro en_minute(moment) as strftime(moment, '%Y-%m-%d %H:%M');

create or replace macro en_day(moment) as strftime(moment, '%Y-%m-%d');

create or replace macro en_month(moment) as strftime(moment, '%Y-%m');

-- the time of day, where the text has named the day already
create or replace macro hh_mm(moment) as strftime(moment, '%H:%M');

-- a number as text, without the .0 of a whole one (24 hours, 1.5 hours)
create or replace macro number_text(value) as regexp_replace(cast(value as varchar), '\.0$', '');

-- a ratio as a whole percentage (0.854 → 85%)
create or replace macro percent_text(ratio) as cast(round(ratio * 100) as integer) || '%';
