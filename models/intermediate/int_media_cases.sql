-- one row per (recording, case) the recording is part of: its case label, and the case of every
-- act it belongs to. Retention and evidence rules look at all of them, so an unlabelled recording
-- never falls into a shorter retention than its case demands (rules.md §4).
-- partitioned by day: cast(recorded_end_at as date)
with media as (
    select * from int_media
    -- the days this build recomputes (null: all)
    where in_run_days(recorded_end_at)
),

links as (
    select * from int_media_act_links
    where in_run_days(recorded_end_at)
),

pairs as (
    select media_id, recorded_end_at, case_id, 'label' as linked_by from media where case_id is not null
    union all
    select media_id, recorded_end_at, act_case_id as case_id, 'act' as linked_by from links
),

-- a case that is both the label and an act's is linked by the label, which the evidence rule prefers
final as (
    select media_id, case_id, max(linked_by) as linked_by, recorded_end_at
    from pairs
    group by media_id, recorded_end_at, case_id
)

select * from final
