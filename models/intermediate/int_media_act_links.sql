-- one row per (recording, act) where the recording belongs to the act (rules.md §1): their time
-- ranges overlap and the recording's officer is one of the act's officers or its case label is
-- the act's case
with media as (
    select * from int_media
),

acts as (
    select * from int_acts
),

act_officers as (
    select act_id, case_id, started_at, ended_at, unnest(officer_ids) as officer_id
    from acts
),

by_officer as (
    select media.media_id, act_officers.act_id
    from media
    inner join act_officers
        on media.officer_id = act_officers.officer_id
        and media.recorded_start_at < act_officers.ended_at
        and media.recorded_end_at > act_officers.started_at
),

by_case as (
    select media.media_id, acts.act_id
    from media
    inner join acts
        on media.case_id = acts.case_id
        and media.recorded_start_at < acts.ended_at
        and media.recorded_end_at > acts.started_at
),

links as (
    select distinct media_id, act_id
    from (select * from by_officer union all select * from by_case)
),

final as (
    select
        links.media_id,
        links.act_id,
        acts.case_id as act_case_id,
        acts.started_at as act_started_at,
        acts.ended_at as act_ended_at,
        acts.is_remote_duty,
        acts.returned_at
    from links
    inner join acts using (act_id)
)

select * from final
