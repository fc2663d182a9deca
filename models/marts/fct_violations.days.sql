-- the days the day-partitioned checks recomputed (int_rule_checks lists them)
select day from recomputed_int_rule_checks
