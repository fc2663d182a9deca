-- the days fct_violations recomputed: those the day-partitioned checks recomputed (the rows of the
-- checks without days are recounted by every build)
select day from recomputed_fct_violations
