-- The spot-check ledger's draw (案卷评查 抽查台账: longjiang 第二十二条, hebei 第三十条), defined once:
-- the ledger draws from it, and the loader checks with it that a returned review is of a drawn case
-- (contract §2 spot_check_reviews). The loader runs this file too (load.init_warehouse).

-- the ledger periods a case closed at `closed_at` is drawn in: its quarter and its year
create or replace macro ledger_periods(closed_at) as
    [strftime(closed_at, '%Y') || 'Q' || quarter(closed_at), strftime(closed_at, '%Y')];

-- when a ledger period ends: its ledger is drawn only then, so that a case closing later in the
-- period cannot change the draw under reviewers who already have it
create or replace macro ledger_period_end(period) as
    case when contains(period, 'Q')
        then make_date(cast(substring(period, 1, 4) as integer), 1, 1) + to_months(3 * cast(substring(period, 6, 1) as integer))
        else make_date(cast(substring(period, 1, 4) as integer) + 1, 1, 1)
    end;

-- the ledger period of a period as a review names it (2025, 2025Q3, 2025-07): a month's workbook
-- prints its quarter's draw, so a month is reviewed in its quarter's ledger
create or replace macro ledger_period(period) as
    case when substring(period, 5, 1) = '-'
        then substring(period, 1, 4) || 'Q' || ((cast(substring(period, 6, 2) as integer) + 2) // 3) else period end;

-- a case's place in its unit's draw for a period: cases are taken in the order of this key, so
-- anyone with the seed and the list of closed cases can draw the same sample again
create or replace macro spot_check_draw_key(seed, period, case_id) as md5(seed || ':' || period || ':' || case_id);
