-- run after each build of mart_unit_period_scorecard (runner: a model's .after.sql): periods past
-- their grace window are frozen at the figures first computed for them (rules.md §6); a period
-- already frozen keeps its figure, and a later difference shows in mart_scorecard_revisions
-- (an anti join rather than a tuple `not in`: Spark reads the same statement, docs/spark.md)
insert into appraisal_frozen_scores
select
    scorecard.unit_id, scorecard.period_type, scorecard.period, getvariable('as_of'), scorecard.score,
    scorecard.judged, scorecard.violations, scorecard.rank
from mart_unit_period_scorecard as scorecard
anti join appraisal_frozen_scores as frozen using (unit_id, period_type, period)
where scorecard.is_frozen
