-- one row per act whose type has an AV level under its unit's profile (R-AV, rules.md §3): the
-- level (recommended, required or full), the article that sets it, and the profile's limits that
-- its recordings are judged by
-- materialized: view
with acts as (
    select * from int_acts
),

requirements as (
    select profile_id, act_type, requirement, article_zh from rules_av_requirements
),

params as (
    select * from int_profile_parameters
),

final as (
    select
        acts.*,
        requirements.requirement,
        requirements.article_zh,
        params.av_full_min_ratio,
        params.av_max_gap_seconds,
        params.av_statement_min_signatures,
        params.is_av_exemption_allowed,
        seconds_between(acts.started_at, acts.ended_at) as act_seconds
    from acts
    inner join requirements using (profile_id, act_type)
    left join params using (profile_id)
)

select * from final
