-- the days (of acts' starts) fct_act_av_coverage recomputed
select day from recomputed_fct_act_av_coverage
