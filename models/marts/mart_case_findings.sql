-- one row per finding of a case, for the case page (案件全过程): those naming the case, and those of
-- its recordings and acts that name none (a late upload, a retention breach: R-UPL and R-RET judge
-- the recording, which the case's timeline links to it). Sorted by case, so that the one case a
-- reader asks for is read from the few row groups that hold it: looked up in fct_violations, a
-- province's busiest case took up to half a second, most of the case page's time.
-- (a table read three times, not a CTE: a CTE read thrice is copied first, details and all)
with timeline as (
    select * from mart_case_timeline
),

linked_media as (
    select distinct media_id, case_id from timeline where media_id is not null
),

linked_acts as (
    select distinct act_id, case_id from timeline where act_id is not null
),

-- each finding with the case it belongs to, built from its own row rather than found by id and
-- joined back: those naming a case, then those of a case's recordings, then of its acts (less the
-- pairs a recording of the same case gave already)
found as (
    select fct_violations.case_id, fct_violations.*  exclude (case_id)
    from fct_violations
    where fct_violations.case_id is not null
    union all
    select linked_media.case_id, fct_violations.* exclude (case_id)
    from fct_violations
    inner join linked_media using (media_id)
    where fct_violations.case_id is null
    union all
    select linked_acts.case_id, fct_violations.* exclude (case_id)
    from fct_violations
    inner join linked_acts using (act_id)
    where fct_violations.case_id is null
        and not exists (select 1 from linked_media
                        where linked_media.media_id = fct_violations.media_id
                            and linked_media.case_id = linked_acts.case_id)
),

final as (
    select
        case_id,
        violation_id,
        rule_id,
        severity,
        occurred_at,
        act_id,
        media_id,
        citation,
        detail_zh,
        detail_en
    from found
)

select * from final
order by case_id, occurred_at, rule_id, violation_id
