-- the days (of acts' starts) int_act_av_coverage recomputed
select day from recomputed_int_act_av_coverage
