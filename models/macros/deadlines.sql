-- A moment some hours later, to the microsecond: the rule tables give deadlines and warning
-- horizons in hours, fractions of an hour too. The microseconds are rounded half to even, as
-- DuckDB's cast of a double to an integer does anyway: written out so that on Spark, whose cast
-- truncates, the deadline is the same microsecond.
create or replace macro plus_hours(moment, hours) as moment + to_microseconds(cast(round_even(hours * 3600e6, 0) as bigint));
-- The seconds from one moment to another, to the microsecond (epoch() of their difference, written
-- so that it also transpiles to Spark, where sqlglot makes epoch() of an interval unix_timestamp()).
create or replace macro seconds_between(start_at, end_at) as date_diff('microsecond', start_at, end_at) / 1e6;
