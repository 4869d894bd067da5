//! Eligibility reasons end to end, and properties of the whole model on random periods:
//! bounds, input-order independence, category independence, and shrinkage direction.

use chrono::{Duration, NaiveDate};
use proptest::prelude::*;
use shared::scoring::*;

fn day(offset: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 1).expect("valid") + Duration::days(offset)
}

fn period() -> Period {
    Period { id: "2025".into(), start: day(0), end: day(364), settings: MethodSettings::default() }
}

const ESTATAL: Category = Category { ambito: Ambito::Estatal, tipo: Tipo::Tramites };
const MUNICIPAL: Category = Category { ambito: Ambito::Municipal, tipo: Tipo::Servicios };

/// One survey: (day offset, ISC, satisfaction, bribe).
type SurveyRow = (i64, Option<f64>, Option<u8>, Option<bool>);

/// Everything recorded for one centro in a period.
#[derive(Debug, Clone)]
struct CentroData {
    id: String,
    category: Category,
    surveys: Vec<SurveyRow>,
    /// (day offset, items)
    visits: Vec<(i64, Vec<VisitItem>)>,
    commitments: Vec<Commitment>,
    complaints: Vec<Complaint>,
}

enum Record {
    Survey(String, i64, Respondent, u64),
    Visit(Visit),
    Commitment(Commitment),
    Complaint(Complaint),
}

fn records(data: &[CentroData]) -> Vec<Record> {
    let dims = MethodSettings::default().dimension_weights.len();
    let mut out = Vec::new();
    let mut seq = 0;
    for c in data {
        for (offset, isc, satisfaction, bribe) in &c.surveys {
            seq += 1;
            let r = Respondent { isc: *isc, dimensions: vec![*isc; dims], satisfaction: *satisfaction, bribe: *bribe };
            out.push(Record::Survey(c.id.clone(), *offset, r, seq));
        }
        for (offset, items) in &c.visits {
            seq += 1;
            out.push(Record::Visit(Visit { centro_id: c.id.clone(), date: day(*offset), seq, items: items.clone() }));
        }
        out.extend(c.commitments.iter().cloned().map(Record::Commitment));
        out.extend(c.complaints.iter().cloned().map(Record::Complaint));
    }
    out
}

fn score(data: &[CentroData], order: &[usize]) -> ScoreTable {
    let period = period();
    let centros: Vec<Centro> = data.iter().map(|c| Centro { id: c.id.clone(), category: c.category, coordinates: None, baja_on: None }).collect();
    let mut scorer = PeriodScorer::new(&period, &centros);
    let all = records(data);
    let indices: Vec<usize> = if order.len() == all.len() { order.to_vec() } else { (0..all.len()).collect() };
    for i in indices {
        match &all[i] {
            Record::Survey(id, offset, r, seq) => {
                let rec = SurveyRecord { centro_id: id, capture_date: day(*offset), status: ReviewStatus::Accepted, mode: CollectionMode::Entrevista, seq: *seq, respondent: r };
                scorer.add_survey(&rec).expect("known centro");
            }
            Record::Visit(v) => scorer.add_visit(v.clone()).expect("known centro"),
            Record::Commitment(c) => scorer.add_commitment(c.clone()).expect("known centro"),
            Record::Complaint(c) => scorer.add_complaint(c.clone()).expect("known centro"),
        }
    }
    scorer.finish()
}

/// A centro that meets every eligibility rule.
fn eligible(id: &str, category: Category, level: f64) -> CentroData {
    let surveys = (0..60).map(|i| (i % 6, Some((level + (i % 5) as f64).min(100.0)), Some(5), Some(false))).collect();
    let items = |s: u8| vec![
        VisitItem { pillar: "AG".into(), weight: 2.0, critical: false, score: Some(s) },
        VisitItem { pillar: "QJ".into(), weight: 1.0, critical: false, score: Some(2) },
        VisitItem { pillar: "PC".into(), weight: 3.0, critical: true, score: Some(2) },
    ];
    let commitment = |k: &str| Commitment {
        centro_id: id.into(),
        id: k.into(),
        impact: 2.0,
        seq: 1,
        milestones: vec![Milestone { due: day(100), verified_on: Some(day(90)) }],
    };
    CentroData {
        id: id.into(),
        category,
        surveys,
        visits: vec![(10, items(2)), (200, items(1))],
        commitments: vec![commitment("k1"), commitment("k2")],
        complaints: vec![Complaint {
            centro_id: id.into(),
            folio: "Q-1".into(),
            received: day(20),
            responded: Some(day(22)),
            corrective_action: true,
            acknowledged: true,
            seq: 1,
        }],
    }
}

fn reasons_of(data: CentroData) -> Vec<&'static str> {
    let table = score(&[data], &[]);
    table.centros[0].reasons.iter().map(Ineligibility::code).collect()
}

#[test]
fn each_eligibility_reason_is_reported() {
    assert!(reasons_of(eligible("c1", ESTATAL, 80.0)).is_empty());
    let mut few = eligible("c1", ESTATAL, 80.0);
    few.surveys.truncate(59);
    assert_eq!(reasons_of(few), ["too_few_surveys"]);
    let mut one_visit = eligible("c1", ESTATAL, 80.0);
    one_visit.visits.truncate(1);
    assert_eq!(reasons_of(one_visit), ["too_few_visits"]);
    let mut critical = eligible("c1", ESTATAL, 80.0);
    critical.visits[1].1[2].score = Some(0);
    assert_eq!(reasons_of(critical), ["critical_failure"]);
    let mut bribes = eligible("c1", ESTATAL, 80.0);
    bribes.surveys.iter_mut().take(6).for_each(|s| s.3 = Some(true));
    assert_eq!(reasons_of(bribes), ["bribe_incidence"]);
    let mut no_igq = eligible("c1", ESTATAL, 80.0);
    no_igq.complaints.clear();
    no_igq.visits.iter_mut().for_each(|v| v.1.retain(|i| i.pillar != "QJ"));
    assert_eq!(reasons_of(no_igq), ["incomplete"]);
    let mut nothing = eligible("c1", ESTATAL, 80.0);
    nothing.surveys.clear();
    nothing.visits.clear();
    assert_eq!(reasons_of(nothing), ["too_few_surveys", "too_few_visits", "incomplete"]);
}

#[test]
fn an_eligible_centro_gets_every_figure() {
    let table = score(&[eligible("a", ESTATAL, 80.0), eligible("b", ESTATAL, 90.0), eligible("c", ESTATAL, 70.0)], &[]);
    for c in &table.centros {
        assert!(c.isc.is_some() && c.icv.is_some() && c.igq.is_some() && c.igc.is_some() && c.ranking.igc_star.is_some());
        assert!(c.ranking.rank.is_some() && c.ranking.tier != Tier::NoElegible);
        assert_eq!((c.n, c.n_isc, c.visits, c.commitments, c.complaints), (60, 60, 2, 2, 1));
        assert!(c.igq_from_visits.eq(&false) && c.complete);
    }
    let ranks: Vec<(String, Option<u32>)> = table.centros.iter().map(|c| (c.centro_id.clone(), c.ranking.rank)).collect();
    assert_eq!(ranks, [("a".into(), Some(2)), ("b".into(), Some(1)), ("c".into(), Some(3))]);
}

fn centro_data(id: String, category: Category) -> impl Strategy<Value = CentroData> {
    let survey = (0i64..40, prop::option::weighted(0.9, prop_oneof![(0u32..=40).prop_map(|x| f64::from(x) * 2.5), 0.0f64..=100.0]), prop::option::of(1u8..=5), prop::option::of(any::<bool>()));
    let item = (prop::sample::select(vec!["AG", "DE", "TC", "CI", "QJ", "PC", "XX"]), 1u8..=3, any::<bool>(), prop::option::of(0u8..=2))
        .prop_map(|(p, w, c, s)| VisitItem { pillar: p.into(), weight: f64::from(w), critical: c && s.is_some(), score: s });
    let visit = (0i64..400, prop::collection::vec(item, 0..8));
    let milestone = (0i64..420, prop::option::of(0i64..420)).prop_map(|(due, v)| Milestone { due: day(due), verified_on: v.map(day) });
    let commitment = (1u8..=3, prop::collection::vec(milestone, 0..4));
    let complaint = (0i64..380, prop::option::of(0i64..30), any::<bool>(), any::<bool>());
    (
        prop::collection::vec(survey, 0..90),
        prop::collection::vec(visit, 0..4),
        prop::collection::vec(commitment, 0..4),
        prop::collection::vec(complaint, 0..4),
    )
        .prop_map(move |(surveys, visits, commitments, complaints)| CentroData {
            id: id.clone(),
            category,
            surveys,
            visits,
            commitments: commitments
                .into_iter()
                .enumerate()
                .map(|(k, (impact, milestones))| Commitment { centro_id: id.clone(), id: format!("k{k}"), impact: f64::from(impact), seq: 1, milestones })
                .collect(),
            complaints: complaints
                .into_iter()
                .enumerate()
                .map(|(k, (received, after, corrective, ack))| Complaint {
                    centro_id: id.clone(),
                    folio: format!("q{k}"),
                    received: day(received),
                    responded: after.map(|a| day(received + a)),
                    corrective_action: corrective,
                    acknowledged: ack,
                    seq: 1,
                })
                .collect(),
        })
}

/// Periods of 3 to 7 centros in one category, a third of them built to be eligible.
fn dataset() -> impl Strategy<Value = Vec<CentroData>> {
    (3usize..8).prop_flat_map(|k| {
        (0..k)
            .map(|i| {
                let id = format!("c{i:02}");
                if i % 3 == 0 {
                    (40.0f64..=95.0).prop_map(move |level| eligible(&format!("c{i:02}"), ESTATAL, level)).boxed()
                } else {
                    centro_data(id, ESTATAL).boxed()
                }
            })
            .collect::<Vec<_>>()
    })
}

fn in_range(v: Option<f64>) -> bool {
    v.is_none_or(|v| (0.0..=100.0).contains(&v))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn every_index_is_within_0_and_100(data in dataset()) {
        let table = score(&data, &[]);
        for c in &table.centros {
            for v in [c.isc, c.icv, Some(c.iacm), c.igq, c.igc, c.ranking.igc_star] {
                prop_assert!(in_range(v), "{c:?}");
            }
            if let Some((lo, hi)) = c.isc_ci {
                prop_assert!(0.0 <= lo && lo <= hi && hi <= 100.0);
            }
            prop_assert!(c.dimension_means.values().chain(c.pillar_means.values()).all(|v| (0.0..=100.0).contains(v)));
            prop_assert!(c.deff >= 1.0 && c.n_eff <= c.n_isc as f64 + 1e-9);
        }
    }

    #[test]
    fn results_do_not_depend_on_input_order(data in dataset(), seed in any::<u64>()) {
        let n = records(&data).len();
        let mut order: Vec<usize> = (0..n).collect();
        // A deterministic shuffle from the seed (Fisher–Yates with an LCG).
        let mut state = seed | 1;
        for i in (1..n).rev() {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            order.swap(i, (state >> 33) as usize % (i + 1));
        }
        prop_assert_eq!(score(&data, &[]), score(&data, &order));
    }

    #[test]
    fn a_centro_of_another_category_never_changes_a_ranking(data in dataset(), level in 0.0f64..100.0) {
        let before = score(&data, &[]);
        let mut more = data.clone();
        more.push(eligible("z-otro", MUNICIPAL, level));
        let after = score(&more, &[]);
        let same: Vec<&CentroScore> = after.centros.iter().filter(|c| c.category == ESTATAL).collect();
        prop_assert_eq!(before.centros.iter().collect::<Vec<_>>(), same);
        prop_assert_eq!(before.categories.get(&ESTATAL), after.categories.get(&ESTATAL));
    }

    #[test]
    fn shrinkage_moves_towards_the_category_mean_and_never_past_it(data in dataset()) {
        let table = score(&data, &[]);
        let Some(mu) = table.categories.get(&ESTATAL).and_then(|s| s.mean) else { return Ok(()) };
        for c in table.centros.iter().filter(|c| c.eligible()) {
            let (igc, star) = (c.igc.unwrap_or_default(), c.ranking.igc_star.unwrap_or_default());
            let (lo, hi) = if igc <= mu { (igc, mu) } else { (mu, igc) };
            prop_assert!(lo - 1e-9 <= star && star <= hi + 1e-9, "igc {igc} star {star} mu {mu}");
            prop_assert!(c.ranking.se_star.unwrap_or_default() <= c.igc_se.unwrap_or_default() + 1e-12);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// A supervisor's rejection takes a survey back out: exactly as if it never came in.
    #[test]
    fn removing_surveys_restores_the_exact_state(data in dataset(), keep_every in 2usize..5) {
        let dims = MethodSettings::default().dimension_weights.len();
        let period = period();
        let centros: Vec<Centro> = data.iter().map(|c| Centro { id: c.id.clone(), category: c.category, coordinates: None, baja_on: None }).collect();
        let mut all = PeriodScorer::new(&period, &centros);
        let mut kept = PeriodScorer::new(&period, &centros);
        let mut removed = Vec::new();
        for (i, (id, (offset, isc, sat, bribe))) in data.iter().flat_map(|c| c.surveys.iter().map(move |s| (c.id.clone(), *s))).enumerate() {
            let r = Respondent { isc, dimensions: vec![isc; dims], satisfaction: sat, bribe };
            let rec = SurveyRecord { centro_id: &id, capture_date: day(offset), status: ReviewStatus::Accepted, mode: CollectionMode::Entrevista, seq: i as u64, respondent: &r };
            all.add_survey(&rec).expect("known");
            if i % keep_every == 0 {
                removed.push((id.clone(), offset, r.clone(), i as u64));
            } else {
                kept.add_survey(&rec).expect("known");
            }
        }
        for (id, offset, r, seq) in &removed {
            let rec = SurveyRecord { centro_id: id, capture_date: day(*offset), status: ReviewStatus::Accepted, mode: CollectionMode::Entrevista, seq: *seq, respondent: r };
            all.remove_survey(&rec).expect("known");
        }
        prop_assert_eq!(all.table().centros, kept.table().centros);
    }
}
