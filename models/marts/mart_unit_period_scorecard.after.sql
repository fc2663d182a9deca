-- run after each build of mart_unit_period_scorecard (runner: a model's .after.sql): periods past
-- their grace window are frozen at the figures first computed for them (rules.md §6); a period
-- already frozen keeps its figure, and a later difference shows in mart_scorecard_revisions
insert into appraisal_frozen_scores
select unit_id, period_type, period, getvariable('as_of'), score, judged, violations, rank
from mart_unit_period_scorecard
where is_frozen
    and (unit_id, period_type, period) not in (select (unit_id, period_type, period) from appraisal_frozen_scores)
