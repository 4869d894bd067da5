//! Worked examples of MGS-1, one per formula, small enough to check by hand. The comment
//! above each assertion is the hand computation.

use chrono::NaiveDate;
use shared::answers::Answers;
use shared::instruments;
use shared::scoring::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("valid date")
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn period() -> Period {
    Period { id: "2025".into(), start: d("2025-01-01"), end: d("2025-12-31"), settings: MethodSettings::default() }
}

const CAT: Category = Category { ambito: Ambito::Estatal, tipo: Tipo::Tramites };

fn centro(id: &str) -> Centro {
    Centro { id: id.into(), category: CAT, coordinates: None, baja_on: None }
}

/// A respondent with only an ISC (the other dimensions unanswered).
fn respondent(isc: Option<f64>) -> Respondent {
    let dims = MethodSettings::default().dimension_weights.len();
    Respondent { isc, dimensions: vec![isc; dims], satisfaction: None, bribe: None }
}

/// Scores one centro from (capture date, ISC) pairs.
fn score_iscs(values: &[(&str, Option<f64>)]) -> CentroScore {
    let period = period();
    let mut scorer = PeriodScorer::new(&period, &[centro("c1")]);
    for (i, (day, isc)) in values.iter().enumerate() {
        let r = respondent(*isc);
        let rec = SurveyRecord { centro_id: "c1", capture_date: d(day), status: ReviewStatus::Accepted, mode: CollectionMode::Entrevista, seq: i as u64 + 1, respondent: &r };
        scorer.add_survey(&rec).expect("known centro");
    }
    scorer.finish().centros.remove(0)
}

#[test]
fn isc_item_and_respondent_scoring_from_the_shipped_form() {
    let settings = MethodSettings::default();
    let plan = SurveyPlan::new(&instruments::encuesta().expect("imports"), &settings);
    let mut a = Answers::default();
    // AG: (100 + 50)/2 = 75. DE: (75 + 50)/2 = 62.5 (DE2 «No aplica» is missing).
    // TC: 100. CI: (25 + 0)/2 = 12.5. RE: 100.
    a.set("AG2", "5").set("AG3", "3").set("DE1", "4").set("DE2", "na").set("DE3", "parcial");
    a.set("TC1", "5").set("TC2", "5").set("CI1", "2").set("CI2", "no").set("RE1", "si");
    a.set("GL1", "4").set("IN1", "pnc");
    let r = plan.respondent(&a);
    // ISC = 0.25·75 + 0.15·62.5 + 0.25·100 + 0.25·12.5 + 0.10·100 = 66.25.
    assert!(close(r.isc.expect("scored"), 66.25));
    assert_eq!((r.satisfaction, r.bribe), (Some(4), None));
    // Without RE the weights renormalise: 56.25 / 0.9 = 62.5.
    a.set("RE1", "");
    assert!(close(plan.respondent(&a).isc.expect("scored"), 62.5));
    // Nothing scored: left out of the ISC.
    let mut none = Answers::default();
    none.set("AG2", "na").set("DE3", "na").set("GL1", "5");
    assert_eq!(plan.respondent(&none).isc, None);
    assert_eq!(item_score(shared::form::Scoring::Scale5, "1"), Some(0.0));
    assert_eq!(item_score(shared::form::Scoring::Ypn, "parcial"), Some(50.0));
}

#[test]
fn isc_clustered_and_simple_se_deff_and_n_eff() {
    // Day A: 50, 60; day B: 90, 100. ȳ = 75. e(A) = −40, e(B) = 40, Σe² = 3200.
    // SE_cl = √(2/1 · 3200) / 4 = 20. Σ(y−ȳ)² = 1700, SE_simple = √(1700/12) = 11.902…
    // deff = 400 / (1700/12) = 2.8235…, n_eff = 4 / deff = 1.41666…
    let s = score_iscs(&[
        ("2025-03-03", Some(50.0)),
        ("2025-03-03", Some(60.0)),
        ("2025-03-04", Some(90.0)),
        ("2025-03-04", Some(100.0)),
    ]);
    assert!(close(s.isc.expect("isc"), 75.0));
    assert!(close(s.isc_se.expect("se"), 20.0));
    assert!(close(s.deff, 4800.0 / 1700.0));
    assert!(close(s.n_eff, 4.0 * 1700.0 / 4800.0));
    assert_eq!(s.sampling_days, 2);
    // 75 ± 1.96·20 = (35.8, 114.2), clipped to (35.8, 100).
    let (lo, hi) = s.isc_ci.expect("interval");
    assert!(close(lo, 35.8) && close(hi, 100.0));
}

#[test]
fn isc_with_one_sampling_day_uses_the_simple_se() {
    let s = score_iscs(&[
        ("2025-03-03", Some(50.0)),
        ("2025-03-03", Some(60.0)),
        ("2025-03-03", Some(90.0)),
        ("2025-03-03", Some(100.0)),
    ]);
    assert!(close(s.isc_se.expect("se"), (1700.0f64 / 12.0).sqrt()));
    assert_eq!((s.deff, s.n_eff), (1.0, 4.0));
}

#[test]
fn isc_edge_cases_n_zero_one_two_and_all_equal() {
    let zero = score_iscs(&[]);
    assert_eq!((zero.n, zero.n_isc, zero.isc, zero.isc_se, zero.isc_ci), (0, 0, None, None, None));
    assert_eq!((zero.deff, zero.n_eff), (1.0, 0.0));
    let one = score_iscs(&[("2025-05-05", Some(80.0))]);
    assert_eq!((one.isc, one.isc_se, one.isc_ci), (Some(80.0), None, None));
    // n = 2 on two days: ȳ = 70, e = ∓10, SE_cl = √(2·200)/2 = 10; simple √(200/2) = 10.
    let two = score_iscs(&[("2025-05-05", Some(60.0)), ("2025-05-06", Some(80.0))]);
    assert!(close(two.isc_se.expect("se"), 10.0));
    assert!(close(two.deff, 1.0));
    let equal = score_iscs(&[("2025-05-05", Some(75.0)), ("2025-05-06", Some(75.0)), ("2025-05-07", Some(75.0))]);
    assert_eq!(equal.isc_se, Some(0.0));
    assert_eq!(equal.isc_ci, Some((75.0, 75.0)));
    assert_eq!(equal.deff, 1.0);
}

#[test]
fn respondents_with_no_scored_item_count_in_n_but_not_in_n_isc() {
    let s = score_iscs(&[("2025-05-05", Some(60.0)), ("2025-05-05", None), ("2025-05-06", Some(80.0))]);
    assert_eq!((s.n, s.n_isc), (3, 2));
    assert!(close(s.isc.expect("isc"), 70.0));
}

#[test]
fn surveys_outside_the_period_or_not_accepted_do_not_count() {
    let period = period();
    let mut scorer = PeriodScorer::new(&period, &[centro("c1")]);
    let r = respondent(Some(50.0));
    let cases = [
        ("2024-12-31", ReviewStatus::Accepted, false),
        ("2025-01-01", ReviewStatus::Accepted, true),
        ("2025-12-31", ReviewStatus::Approved, true),
        ("2025-06-01", ReviewStatus::InReview, false),
        ("2025-06-01", ReviewStatus::Rejected, false),
        ("2026-01-01", ReviewStatus::Accepted, false),
    ];
    for (i, (day, status, _)) in cases.iter().enumerate() {
        let rec = SurveyRecord { centro_id: "c1", capture_date: d(day), status: *status, mode: CollectionMode::Entrevista, seq: 10 + i as u64, respondent: &r };
        scorer.add_survey(&rec).expect("known centro");
    }
    let unknown = SurveyRecord { centro_id: "zz", capture_date: d("2025-06-01"), status: ReviewStatus::Accepted, mode: CollectionMode::Entrevista, seq: 99, respondent: &r };
    assert_eq!(scorer.add_survey(&unknown), Err(ScoreError::UnknownCentro("zz".into())));
    let table = scorer.finish();
    assert_eq!(table.centros[0].n, 2);
    // The watermark is the highest sequence number included: the 2025-12-31 survey (seq 12).
    assert_eq!(table.watermark, 12);
    assert_eq!(table.method, "MGS-1");
}

#[test]
fn companion_indicators_with_wilson_intervals() {
    let period = period();
    let mut scorer = PeriodScorer::new(&period, &[centro("c1")]);
    // GL1: 1, 2, 4, 4, 5 → CSAT 3/5, dissatisfied 2/5. IN1: Sí once in 4 Sí/No answers.
    let answers = [(1, Some(false)), (2, Some(false)), (4, None), (4, Some(true)), (5, Some(false))];
    for (i, (gl1, bribe)) in answers.iter().enumerate() {
        let mut r = respondent(Some(60.0));
        r.satisfaction = Some(*gl1);
        r.bribe = *bribe;
        let rec = SurveyRecord { centro_id: "c1", capture_date: d("2025-02-02"), status: ReviewStatus::Accepted, mode: CollectionMode::Entrevista, seq: i as u64, respondent: &r };
        scorer.add_survey(&rec).expect("known centro");
    }
    let s = scorer.finish().centros.remove(0);
    assert_eq!(s.csat, wilson(3, 5, 1.96));
    assert_eq!(s.dissatisfied, wilson(2, 5, 1.96));
    assert_eq!(s.bribe, wilson(1, 4, 1.96));
    // Bribe incidence 1/4: the lower Wilson bound (≈ 0.0456) is above 2 %.
    assert!(s.reasons.iter().any(|r| r.code() == "bribe_incidence"));
}

fn item(pillar: &str, weight: f64, score: Option<u8>) -> VisitItem {
    VisitItem { pillar: pillar.into(), weight, critical: false, score }
}

#[test]
fn icv_with_na_items_and_missing_pillars() {
    let settings = MethodSettings::default();
    // AG: (2·2 + 3·1) / (2·2 + 2·3) × 100 = 70 (the N/A item leaves both sums).
    // DE: (3·0 + 1·2) / (6 + 2) × 100 = 25. QJ all N/A: missing. Others absent.
    // ICV = (20·70 + 20·25) / 40 = 47.5.
    let v1 = vec![
        item("AG", 2.0, Some(2)),
        item("AG", 3.0, Some(1)),
        item("AG", 1.0, None),
        item("DE", 3.0, Some(0)),
        item("DE", 1.0, Some(2)),
        item("QJ", 2.0, None),
    ];
    let (value, pillars) = visit_icv(&v1, &settings).expect("applicable");
    assert!(close(value, 47.5));
    assert_eq!(pillars.keys().collect::<Vec<_>>(), ["AG", "DE"]);
    // A second visit with AG 100 and PC 25: ICV = (20·100 + 10·25) / 30 = 75.
    let v2 = vec![item("AG", 1.0, Some(2)), item("PC", 2.0, Some(1)), item("PC", 2.0, Some(0))];
    let r = icv(&[&v1, &v2], &settings);
    // Mean (47.5 + 75)/2 = 61.25; SD = 19.445…, SE = SD/√2 = 13.75.
    assert!(close(r.icv.expect("icv"), 61.25));
    assert!(close(r.se.expect("se"), 13.75));
    assert!(close(r.pillar_means["AG"], 85.0));
    let single = icv(&[&v1], &settings);
    assert_eq!(single.se, None);
    assert!(!single.critical_failure);
    let all_na = vec![item("AG", 1.0, None)];
    assert_eq!(visit_icv(&all_na, &settings), None);
}

#[test]
fn a_critical_item_at_zero_sets_critical_failure() {
    let settings = MethodSettings::default();
    let mut critical = item("PC", 3.0, Some(0));
    critical.critical = true;
    assert!(icv(&[&[critical.clone()]], &settings).critical_failure);
    critical.score = Some(1);
    assert!(!icv(&[&[critical]], &settings).critical_failure);
}

fn commitment(id: &str, impact: f64, milestones: &[(&str, Option<&str>)]) -> Commitment {
    Commitment {
        centro_id: "c1".into(),
        id: id.into(),
        impact,
        seq: 1,
        milestones: milestones.iter().map(|(due, v)| Milestone { due: d(due), verified_on: v.map(d) }).collect(),
    }
}

#[test]
fn iacm_credits_at_zero_thirty_and_thirty_one_days_late() {
    let settings = MethodSettings::default();
    let p = period();
    assert_eq!(milestone_credit(d("2025-03-01"), Some(d("2025-03-01")), &p, &settings), 1.0);
    assert_eq!(milestone_credit(d("2025-04-01"), Some(d("2025-05-01")), &p, &settings), 0.8);
    assert_eq!(milestone_credit(d("2025-06-01"), Some(d("2025-07-02")), &p, &settings), 0.5);
    assert_eq!(milestone_credit(d("2025-06-01"), None, &p, &settings), 0.0);
    assert_eq!(milestone_credit(d("2025-12-01"), Some(d("2026-01-05")), &p, &settings), 0.0);
    // k1 (v = 3): (1 + 0.8 + 0.5) / 3; its 2026 milestone is not due yet. k2 (v = 1): 0.
    // IACM = (3 · 2.3/3 + 1 · 0) / 4 × 100 = 57.5.
    let k1 = commitment(
        "k1",
        3.0,
        &[("2025-03-01", Some("2025-03-01")), ("2025-04-01", Some("2025-05-01")), ("2025-06-01", Some("2025-07-02")), ("2026-02-01", None)],
    );
    let k2 = commitment("k2", 1.0, &[("2025-05-01", None)]);
    let future = commitment("k3", 2.0, &[("2026-03-01", None)]);
    let r = iacm(&[&k1, &k2, &future], &p, &settings);
    assert!(close(r.value, 57.5));
    assert_eq!((r.commitments, r.insufficient), (2, false));
    // Only one commitment with due milestones: IACM = 0, flagged.
    let r = iacm(&[&k1, &future], &p, &settings);
    assert_eq!((r.value, r.commitments, r.insufficient), (0.0, 1, true));
}

fn complaint(folio: &str, received: &str, responded: Option<&str>, corrective: bool, ack: bool) -> Complaint {
    Complaint {
        centro_id: "c1".into(),
        folio: folio.into(),
        received: d(received),
        responded: responded.map(d),
        corrective_action: corrective,
        acknowledged: ack,
        seq: 1,
    }
}

#[test]
fn igq_counts_business_days_and_falls_back_to_visits() {
    // Received Friday 2025-03-07: Mon 10 … Fri 21 are 10 business days; Mon 24 is the 11th.
    assert_eq!(business_days(d("2025-03-07"), d("2025-03-21")), 10);
    assert_eq!(business_days(d("2025-03-07"), d("2025-03-24")), 11);
    assert_eq!(business_days(d("2025-03-07"), d("2025-03-09")), 0);
    assert_eq!(business_days(d("2025-03-07"), d("2025-03-07")), 0);
    let settings = MethodSettings::default();
    let p = period();
    let cs = [
        complaint("q1", "2025-03-07", Some("2025-03-21"), true, true),
        complaint("q2", "2025-03-07", Some("2025-03-24"), true, false),
        complaint("q3", "2025-03-07", None, false, false),
        complaint("q4", "2025-03-07", Some("2025-03-10"), false, true),
        complaint("q5", "2024-12-20", Some("2024-12-23"), true, true),
    ];
    let refs: Vec<&Complaint> = cs.iter().collect();
    // In the period: q1..q4. p1 = 2/4, p2 = 2/4, p3 = 2/4. IGQ = 40·½ + 30·½ + 30·½ = 50.
    let r = igq(&refs, &p, Some(90.0), &settings);
    assert_eq!((r.value, r.complaints, r.from_visits), (Some(50.0), 4, false));
    // No complaints in the period: the visits' QJ pillar mean, or nothing.
    let r = igq(&refs[4..], &p, Some(90.0), &settings);
    assert_eq!((r.value, r.complaints, r.from_visits), (Some(90.0), 0, true));
    assert_eq!(igq(&[], &p, None, &settings).value, None);
}

#[test]
fn igc_with_a_missing_component() {
    let settings = MethodSettings::default();
    // ISC 80 (SE 2), ICV 70 (SE 5), IACM 50, no IGQ: (0.4·80 + 0.3·70 + 0.2·50) / 0.9 = 70.
    // SE = √((0.4/0.9)²·4 + (0.3/0.9)²·25) = √(0.79012… + 2.77777…) = 1.88888…
    let (igc, se, complete) =
        composite([Some((80.0, 2.0)), Some((70.0, 5.0)), Some((50.0, 0.0)), None], &settings).expect("some");
    assert!(close(igc, 70.0));
    assert!(close(se, ((0.4f64 / 0.9).powi(2) * 4.0 + (0.3f64 / 0.9).powi(2) * 25.0).sqrt()));
    assert!(!complete);
    let (_, _, complete) = composite([Some((80.0, 2.0)), Some((70.0, 5.0)), Some((50.0, 0.0)), Some((60.0, 0.0))], &settings).expect("some");
    assert!(complete);
    assert_eq!(composite([None, None, None, None], &settings), None);
}

#[test]
fn stored_facts_give_the_same_respondent_as_the_plan() {
    let settings = MethodSettings::default();
    let plan = SurveyPlan::new(&instruments::encuesta().expect("imports"), &settings);
    let mut a = Answers::default();
    a.set("AG2", "5").set("AG3", "2").set("DE1", "4").set("DE3", "parcial").set("TC1", "3").set("CI2", "si");
    a.set("RE1", "no").set("GL1", "2").set("IN1", "si");
    let facts = plan.facts(&a);
    // IN and GL carry no scored dimension here except GL1 (scale5, dimension GL): kept as a fact.
    assert_eq!(facts.dimensions.keys().collect::<Vec<_>>(), ["AG", "CI", "DE", "GL", "RE", "TC"]);
    assert_eq!(facts.respondent(&settings), plan.respondent(&a));
    assert_eq!((facts.satisfaction, facts.bribe), (Some(2), Some(true)));
}

#[test]
fn a_centro_dado_de_baja_is_not_ranked_from_the_period_that_holds_the_date() {
    let period = period();
    let mut gone = centro("c1");
    gone.baja_on = Some(d("2025-06-30"));
    let mut later = centro("c2");
    later.baja_on = Some(d("2026-02-01"));
    let table = PeriodScorer::new(&period, &[gone, later]).finish();
    let c1 = table.centros.iter().find(|c| c.centro_id == "c1").expect("kept in the table");
    // Still in the table (history), first reason the baja, never ranked.
    assert_eq!(c1.reasons[0], Ineligibility::Withdrawn { on: d("2025-06-30") });
    assert_eq!(c1.reasons[0].code(), "withdrawn");
    assert!(c1.ranking.rank.is_none() && !c1.eligible());
    // A baja after the period's end does not touch this period.
    let c2 = table.centros.iter().find(|c| c.centro_id == "c2").expect("kept");
    assert!(!c2.reasons.iter().any(|r| matches!(r, Ineligibility::Withdrawn { .. })));
}

/// Scores one centro from (mode, capture date, ISC, overall satisfaction) with `index_modes`.
fn score_modes(index_modes: &[CollectionMode], values: &[(CollectionMode, &str, f64, u8)]) -> CentroScore {
    let mut period = period();
    period.settings.index_modes = index_modes.to_vec();
    let mut scorer = PeriodScorer::new(&period, &[centro("c1")]);
    for (i, (mode, day, isc, satisfaction)) in values.iter().enumerate() {
        let mut r = respondent(Some(*isc));
        r.satisfaction = Some(*satisfaction);
        let rec = SurveyRecord { centro_id: "c1", capture_date: d(day), status: ReviewStatus::Accepted, mode: *mode, seq: i as u64 + 1, respondent: &r };
        scorer.add_survey(&rec).expect("known centro");
    }
    let table = scorer.finish();
    assert_eq!(table.index_modes, index_modes);
    assert_eq!(table.watermark, values.len() as u64, "every survey raises the watermark, in the index or not");
    table.centros.into_iter().next().expect("one centro")
}

#[test]
fn collection_modes_outside_the_index_are_reported_beside_it_never_mixed_in() {
    use CollectionMode::{Entrevista, Kiosko, Qr};
    let surveys = [
        (Entrevista, "2025-03-03", 80.0, 4),
        (Entrevista, "2025-03-03", 60.0, 2),
        (Entrevista, "2025-03-04", 70.0, 5),
        (Kiosko, "2025-03-03", 90.0, 5),
        (Kiosko, "2025-03-04", 100.0, 5),
        (Qr, "2025-03-05", 40.0, 1),
    ];
    // Default (`index_modes` = entrevista): the index is the three interviews alone.
    let c = score_modes(&[Entrevista], &surveys);
    // n = 3, ISC = (80 + 60 + 70)/3 = 70; CSAT = 2 of 3 answers are 4 or 5.
    assert_eq!((c.n, c.n_isc), (3, 3));
    assert!(close(c.isc.expect("isc"), 70.0));
    assert_eq!(c.csat.map(|p| (p.k, p.n)), Some((2, 3)));
    // Two days: e(3 Mar) = (80 − 70) + (60 − 70) = 0, e(4 Mar) = 0 → clustered SE 0, the
    // simple SE is sqrt(((10² + 10² + 0²)/(3·2))) = sqrt(100/3).
    assert!(close(c.isc_se.expect("se"), 0.0));
    // Every other mode, in order, with its own figures; one without surveys too.
    let modes: Vec<CollectionMode> = c.other_modes.iter().map(|m| m.mode).collect();
    assert_eq!(modes, [CollectionMode::Autoaplicada, Kiosko, Qr]);
    let (auto, kiosk, qr) = (&c.other_modes[0], &c.other_modes[1], &c.other_modes[2]);
    assert_eq!((auto.n, auto.isc, auto.isc_se), (0, None, None));
    // Kiosk: ISC (90 + 100)/2 = 95 over two days, one each: e = −5 and +5,
    // SE = sqrt(2/1 · (25 + 25)) / 2 = 5; interval 95 ± 1.96·5 = [85.2, 104.8] → clipped to 100.
    assert_eq!((kiosk.n, kiosk.n_isc, kiosk.sampling_days), (2, 2, 2));
    assert!(close(kiosk.isc.expect("isc"), 95.0));
    assert!(close(kiosk.isc_se.expect("se"), 5.0));
    let (lo, hi) = kiosk.isc_ci.expect("ci");
    assert!(close(lo, 85.2) && close(hi, 100.0), "{lo} {hi}");
    // QR: one survey, ISC 40, no SE (n < 2), no interval.
    assert_eq!((qr.n, qr.isc, qr.isc_se, qr.isc_ci), (1, Some(40.0), None, None));

    // Including the self-completed modes pools them: six surveys, one index, nothing beside.
    let pooled = score_modes(&[Entrevista, CollectionMode::Autoaplicada, Kiosko, Qr], &surveys);
    // ISC = (80 + 60 + 70 + 90 + 100 + 40)/6 = 440/6; CSAT = 4 of 6.
    assert_eq!(pooled.n, 6);
    assert!(close(pooled.isc.expect("isc"), 440.0 / 6.0));
    assert_eq!(pooled.csat.map(|p| (p.k, p.n)), Some((4, 6)));
    assert!(pooled.other_modes.is_empty());

    // A program may count only the kiosk: the interviews are then reported beside it.
    let kiosk_only = score_modes(&[Kiosko], &surveys);
    assert!(close(kiosk_only.isc.expect("isc"), 95.0));
    let interviews = kiosk_only.other_modes.iter().find(|m| m.mode == Entrevista).expect("interviews beside");
    assert_eq!(interviews.n, 3);
    assert!(close(interviews.isc.expect("isc"), 70.0));
}

#[test]
fn removing_a_survey_outside_the_index_undoes_it_exactly() {
    let mut period = period();
    period.settings.index_modes = vec![CollectionMode::Entrevista];
    let mut scorer = PeriodScorer::new(&period, &[centro("c1")]);
    let r = respondent(Some(75.0));
    let interview = SurveyRecord { centro_id: "c1", capture_date: d("2025-05-05"), status: ReviewStatus::Accepted, mode: CollectionMode::Entrevista, seq: 1, respondent: &r };
    scorer.add_survey(&interview).expect("known centro");
    let before = scorer.table();
    let qr = SurveyRecord { centro_id: "c1", capture_date: d("2025-05-05"), status: ReviewStatus::Accepted, mode: CollectionMode::Qr, seq: 2, respondent: &r };
    scorer.add_survey(&qr).expect("known centro");
    assert_eq!(scorer.table().centros[0].other_modes.iter().find(|m| m.mode == CollectionMode::Qr).map(|m| m.n), Some(1));
    scorer.remove_survey(&qr).expect("known centro");
    let mut after = scorer.table();
    after.watermark = before.watermark;
    assert_eq!(after, before);
}
