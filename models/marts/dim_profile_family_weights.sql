-- one row per rule profile and rule family its scoring table lists: the family's weight in the
-- profile's score (0 where the family is only an indicator under that profile), beside the
-- regulation the profile stands for, named as dim_units names it
with weights as (
    select * from rules_scoring_weights
),

profiles as (
    select * from rules_profiles
),

final as (
    select
        weights.profile_id,
        profiles.short_zh as regulation_short_zh,
        profiles.regulation_en,
        weights.family,
        cast(weights.weight as double) as weight
    from weights
    left join profiles using (profile_id)
)

select * from final
order by profile_id, family
