-- the days (of acts' starts) whose gaps int_act_gap_explanations recomputed: what changes an act's
-- coverage (its recordings, itself) changes its gaps too, so the two recompute the same days
select day from recomputed_int_act_gap_explanations
