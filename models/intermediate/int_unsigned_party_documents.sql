-- one row per party-facing document signed as of the run (or undated) that the party did not sign
-- (R-DOC, rules_party_facing_docs): whether the refusal is noted where the unit's profile requires
-- it, and whether enough officers signed. article_zh is the article the finding rests on.
-- materialized: view
with documents as (
    select * from stg_documents
),

cases as (
    select * from int_cases
),

acts as (
    select * from int_acts
),

party_facing as (
    select * from rules_party_facing_docs
),

unsigned as (
    select
        documents.doc_id,
        documents.case_id,
        documents.act_id,
        documents.doc_type,
        cases.unit_id,
        coalesce(documents.signed_at, acts.started_at, cases.opened_at) as occurred_at,
        cases.opened_at as case_opened_at,
        documents.is_refusal_noted,
        coalesce(documents.officer_signatures, 0) as officer_signatures,
        coalesce(cast(party_facing.refusal_noted_required as boolean), false) as is_refusal_note_required,
        coalesce(cast(party_facing.min_officer_signatures_when_refused as integer), 0) as min_officer_signatures,
        nullif(party_facing.article_zh, '') as signatures_article_zh,
        nullif(party_facing.refusal_article_zh, '') as refusal_article_zh
    from documents
    inner join cases using (case_id)
    inner join party_facing
        on party_facing.profile_id = cases.profile_id and party_facing.doc_type = documents.doc_type
    left join acts on acts.act_id = documents.act_id
    where not documents.is_party_signed
        and (documents.signed_at is null or documents.signed_at < getvariable('as_of_end_at'))
),

final as (
    select
        *,
        is_refusal_noted or not is_refusal_note_required as is_refusal_ok,
        officer_signatures >= min_officer_signatures as is_signatures_ok,
        -- where the signature count is only a setting, an unnoted refusal still breaks a cited article
        coalesce(signatures_article_zh,
            case when not (is_refusal_noted or not is_refusal_note_required) then refusal_article_zh end) as article_zh
    from unsigned
)

select * from final
