-- one row per access to a recording whose action needs approval under the recording's unit's
-- profile (R-ACC): compliant when an approval reference is recorded. article_zh is the article the
-- rule table cites for that action, where it cites one.
-- partitioned by day: cast(partition_at as date)
with accesses as (
    select * from stg_media_access
    -- the days this build recomputes (null: all)
    where in_run_days(accessed_at)
),

media as (
    select * from int_media
),

parameters as (
    select * from rules_rule_parameters
),

approval_actions as (
    select
        profile_id,
        value as action,
        case when basis = 'citation' then nullif(article_zh, '') end as article_zh
    from parameters
    where rule_id = 'R-ACC' and parameter = 'approval_required_action'
),

-- how an action is named in the detail text
action_names as (
    select code as action, label_zh as name_zh, label_en as name_en from labels where kind = 'access_action'
),

-- the recordings are probed against the accesses, not hashed for them
-- (a join builds its hash table on its right side, as written: runner.set_parameters)
judged as (
    select
        accesses.access_id,
        accesses.officer_id,
        accesses.accessed_at,
        accesses.action,
        media.media_id,
        media.unit_id,
        media.device_id,
        media.case_id,
        nullif(trim(accesses.approval_ref), '') is not null as is_compliant,
        coalesce(action_names.name_zh, accesses.action) as action_zh,
        coalesce(action_names.name_en, accesses.action) as action_en,
        approval_actions.article_zh
    from media
    inner join accesses on accesses.media_id = media.media_id
    inner join approval_actions on approval_actions.profile_id = media.profile_id
        and approval_actions.action = accesses.action
    left join action_names on action_names.action = accesses.action
    where accesses.accessed_at < getvariable('as_of_end_at')
),

final as (
    select
        'R-ACC' as rule_id,
        unit_id,
        officer_id,
        case_id,
        media_id,
        device_id,
        accessed_at as occurred_at,
        access_id as entity_key,
        is_compliant,
        case when not is_compliant then
            '人员 ' || officer_id || ' 于 ' || zh_minute(accessed_at) || ' ' || action_zh
            || '录像 ' || media_id || '，没有审批文号'
        end as detail_zh,
        case when not is_compliant then
            officer_id || ': ' || action_en || ' of recording ' || media_id || ' at '
            || en_minute(accessed_at) || ' without an approval reference'
        end as detail_en,
        article_zh,
        accessed_at as partition_at
    from judged
)

select * from final
