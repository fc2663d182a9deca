-- the days the day-partitioned checks recomputed (each on its own days: when a recording ended, a
-- device's day), for the models that count them (fct_violations, int_rule_check_months). The other
-- checks' rows have no day and every build recomputes them, so the sources that reach only them
-- need no day (`where false`).
select day from recomputed_int_checks__upload
union
select day from recomputed_int_checks__retention
union
select day from recomputed_int_checks__labelling
union
select day from recomputed_int_checks__device_days
union
select day from recomputed_int_checks__integrity
union
select day from recomputed_int_checks__upload_lost
union
select day from recomputed_int_checks__device_deletes
union
select day from recomputed_int_checks__device_maintenance
union
select day from recomputed_int_checks__av_coverage
union
select null from changed_documents where false
union
select day from recomputed_int_checks__access
union
select day from recomputed_int_checks__device_interrupts
