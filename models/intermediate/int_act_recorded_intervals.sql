-- one row per stretch of an act with an AV level that its recordings cover without a break: the
-- recordings that belong to the act (int_media_act_links), clipped to it and merged where they
-- overlap. Deleted recordings still count as coverage (deletion is R-RET's business).
-- The act's start is a key of every window and group, as act_id is (an act has one start), so
-- that a filter on the acts' days reaches the recordings below them.
-- materialized: view
with links as (
    select * from int_media_act_links
),

acts as (
    select * from int_act_av_requirements
),

clipped as (
    select
        links.act_id,
        links.act_started_at,
        links.media_id,
        links.is_interruption_noted,
        greatest(links.recorded_start_at, acts.started_at) as start_at,
        least(links.recorded_end_at, acts.ended_at) as end_at
    from links
    inner join acts using (act_id)
),

ordered as (
    select
        *,
        max(end_at) over (
            partition by act_started_at, act_id order by start_at, end_at, media_id
            rows between unbounded preceding and 1 preceding
        ) as previous_max_end_at
    from clipped
),

numbered as (
    select
        *,
        sum(case when previous_max_end_at is null or start_at > previous_max_end_at then 1 else 0 end) over (
            partition by act_started_at, act_id order by start_at, end_at, media_id rows unbounded preceding
        ) as island
    from ordered
),

final as (
    select
        act_id,
        act_started_at,
        island,
        min(start_at) as start_at,
        max(end_at) as end_at,
        -- the recording that opens a stretch explains the gap before it with a spoken reason
        bool_or(is_interruption_noted) filter (
            where previous_max_end_at is null or start_at > previous_max_end_at
        ) as opens_with_note
    from numbered
    group by act_started_at, act_id, island
)

select * from final
