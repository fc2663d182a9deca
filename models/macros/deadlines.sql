-- A moment some hours later, to the microsecond: the rule tables give deadlines and warning
-- horizons in hours, fractions of an hour too.
create or replace macro plus_hours(moment, hours) as moment + to_microseconds(cast(hours * 3600e6 as bigint));
