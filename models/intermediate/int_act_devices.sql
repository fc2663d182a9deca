-- one row per act and device that could have recorded it: the devices of the recordings that
-- belong to the act and those assigned to its officers (whose logged interruptions can explain a
-- gap in its recording, R-AV)
-- materialized: view
with links as (
    select * from int_media_act_links
),

acts as (
    select * from int_acts
),

devices as (
    select * from stg_devices
),

final as (
    select distinct act_id, act_started_at, device_id
    from links

    union

    -- an equality join on each officer: a join on list_contains compares every act with every device
    select act_officers.act_id, act_officers.act_started_at, devices.device_id
    from (select act_id, started_at as act_started_at, unnest(officer_ids) as officer_id from acts) as act_officers
    inner join devices using (officer_id)
)

select * from final
