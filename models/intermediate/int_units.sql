-- one row per unit with the rule profile that applies to it (its own, else the deployment default)
with units as (
    select * from stg_units
),

run as (
    select * from int_run_parameters
),

profiles as (
    select * from rules_profiles
),

final as (
    select
        units.unit_id,
        units.unit_name,
        units.parent_unit_id,
        coalesce(units.rule_profile, run.default_profile) as profile_id,
        units.rule_profile is null as is_default_profile,
        profiles.short_zh as regulation_short_zh,
        profiles.regulation_en
    from units
    cross join run
    left join profiles on profiles.profile_id = coalesce(units.rule_profile, run.default_profile)
)

select * from final
