-- the days the day-partitioned checks recomputed (int_rule_checks lists them, R-AV's acts among
-- them; the rows of the checks without days are recounted by every build)
select day from recomputed_int_rule_checks
