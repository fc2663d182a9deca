-- one row per finding of a case, for the case page (案件全过程): those naming the case, and those of
-- its recordings and acts that name none (a late upload, a retention breach: R-UPL and R-RET judge
-- the recording, which the case's timeline links to it). Sorted by case, so that the one case a
-- reader asks for is read from the few row groups that hold it: looked up in fct_violations, a
-- province's busiest case took up to half a second, most of the case page's time.
with violations as (
    select * from fct_violations
),

timeline as (
    select * from mart_case_timeline
),

linked_media as (
    select distinct media_id, case_id from timeline where media_id is not null
),

linked_acts as (
    select distinct act_id, case_id from timeline where act_id is not null
),

named as (
    select violations.case_id, violations.violation_id
    from violations
    where violations.case_id is not null
),

by_media as (
    select linked_media.case_id, violations.violation_id
    from violations
    inner join linked_media using (media_id)
    where violations.case_id is null
),

by_act as (
    select linked_acts.case_id, violations.violation_id
    from violations
    inner join linked_acts using (act_id)
    where violations.case_id is null
),

found as (
    select * from named
    union
    select * from by_media
    union
    select * from by_act
),

final as (
    select
        found.case_id,
        violations.violation_id,
        violations.rule_id,
        violations.severity,
        violations.occurred_at,
        violations.act_id,
        violations.media_id,
        violations.citation,
        violations.detail_zh,
        violations.detail_en
    from found
    inner join violations using (violation_id)
)

select * from final
order by case_id, occurred_at, rule_id, violation_id
