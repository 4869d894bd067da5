//! Benchmark: score a period of 1,000,000 exit surveys over 600 centros (plus their visits,
//! commitments and complaints) in one pass. Run with `cargo bench -p shared --bench scoring`;
//! figures go to BENCHMARKS.md. Target: under 2 s on the 2-core CI machine.

#[path = "../../tests/benches/common/mod.rs"]
mod common;

use std::time::Instant;

use chrono::{Duration, NaiveDate};
use shared::answers::Answers;
use shared::instruments;
use shared::scoring::*;

const SURVEYS: usize = 1_000_000;
const CENTROS: usize = 600;
const DISTINCT_ANSWER_SETS: usize = 1_000;

/// A small deterministic generator (no dependency, same data every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn answer_sets(rng: &mut Lcg) -> Vec<Answers> {
    let form = instruments::encuesta().expect("the shipped form imports");
    let scale = ["AG2", "AG3", "DE1", "DE2", "TC1", "TC2", "CI1", "GL1"];
    let ypn = ["DE3", "CI2", "RE1"];
    (0..DISTINCT_ANSWER_SETS)
        .map(|_| {
            let mut a = Answers::default();
            a.set("consentimiento", "si").set("P0", "predial").set("AG1", "10a20").set("GL2", "8");
            for item in scale {
                let v = ["1", "2", "3", "4", "5", "na"][rng.below(6) as usize];
                a.set(item, v);
            }
            for item in ypn {
                a.set(item, ["si", "parcial", "no", "na"][rng.below(4) as usize]);
            }
            // About 1 % report a bribe request, as in published MAS figures' order of magnitude.
            let bribe = if rng.below(100) == 0 { "si" } else if rng.below(20) == 0 { "pnc" } else { "no" };
            a.set("IN1", bribe);
            debug_assert!(form.field("AG2").is_some());
            a
        })
        .collect()
}

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() {
    println!("commit {}, load average at start {}", common::commit(), common::load());
    let settings = MethodSettings::default();
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).expect("valid");
    let period = Period { id: "2025".into(), start, end: start + Duration::days(364), settings: settings.clone() };
    let categories = [
        Category { ambito: Ambito::Estatal, tipo: Tipo::Tramites },
        Category { ambito: Ambito::Estatal, tipo: Tipo::Servicios },
        Category { ambito: Ambito::Municipal, tipo: Tipo::Tramites },
        Category { ambito: Ambito::Municipal, tipo: Tipo::Servicios },
    ];
    let centros: Vec<Centro> = (0..CENTROS)
        .map(|i| Centro { id: format!("C{i:04}"), category: categories[i % 4], coordinates: None, baja_on: None })
        .collect();
    let mut rng = Lcg(42);
    let sets = answer_sets(&mut rng);
    let plan = SurveyPlan::new(&instruments::encuesta().expect("imports"), &settings);
    let visit_plan = VisitPlan::new(&instruments::cedula().expect("imports"));
    let mut visit_answers = Answers::default();
    let cedula = instruments::cedula().expect("imports");
    for f in cedula.fields().into_iter().filter(|f| f.scoring.pillar.is_some()) {
        visit_answers.set(&f.name, ["0", "1", "2", "2", "na"][rng.below(5) as usize]);
    }
    let visit_items = visit_plan.items(&visit_answers);

    // Reducing answers alone, to see its share.
    let reduce_start = Instant::now();
    let mut scored = 0usize;
    for i in 0..SURVEYS {
        scored += usize::from(plan.respondent(&sets[i % DISTINCT_ANSWER_SETS]).isc.is_some());
    }
    let reduce = reduce_start.elapsed();

    let begin = Instant::now();
    let mut scorer = PeriodScorer::new(&period, &centros);
    for i in 0..SURVEYS {
        let respondent = plan.respondent(&sets[i % DISTINCT_ANSWER_SETS]);
        let record = SurveyRecord {
            centro_id: &centros[rng.below(CENTROS as u64) as usize].id,
            capture_date: start + Duration::days(rng.below(365) as i64),
            status: if rng.below(50) == 0 { ReviewStatus::InReview } else { ReviewStatus::Accepted },
            mode: CollectionMode::Entrevista,
            seq: i as u64 + 1,
            respondent: &respondent,
        };
        scorer.add_survey(&record).expect("known centro");
    }
    for (i, c) in centros.iter().enumerate() {
        for v in 0..4 {
            let visit = Visit { centro_id: c.id.clone(), date: start + Duration::days(30 + 80 * v), seq: i as u64, items: visit_items.clone() };
            scorer.add_visit(visit).expect("known centro");
        }
        for k in 0..3 {
            let milestones = vec![Milestone { due: start + Duration::days(100 + 50 * k), verified_on: Some(start + Duration::days(120 + 40 * k)) }];
            let commitment = Commitment { centro_id: c.id.clone(), id: format!("K{k}"), impact: (k + 1) as f64, seq: 1, milestones };
            scorer.add_commitment(commitment).expect("known centro");
        }
        for q in 0..5 {
            let received = start + Duration::days(10 + 60 * q);
            let complaint = Complaint {
                centro_id: c.id.clone(),
                folio: format!("Q{q}"),
                received,
                responded: Some(received + Duration::days(q * 4)),
                corrective_action: q % 2 == 0,
                acknowledged: q % 3 == 0,
                seq: 1,
            };
            scorer.add_complaint(complaint).expect("known centro");
        }
    }
    let accumulated = begin.elapsed();
    let table = scorer.finish();
    let total = begin.elapsed();

    let ranked = table.centros.iter().filter(|c| c.ranking.rank.is_some()).count();
    println!("scoring: {SURVEYS} surveys, {CENTROS} centros, {ranked} ranked");
    println!("  reduce answers → respondents alone: {:.3} s ({scored} with an ISC)", reduce.as_secs_f64());
    println!("  one pass (reduce + accumulate): {:.3} s", accumulated.as_secs_f64());
    println!("  finish (figures + ranking):     {:.3} s", (total - accumulated).as_secs_f64());
    println!("  total:                          {:.3} s", total.as_secs_f64());
    if let Some(mib) = peak_rss_mib() {
        println!("  peak RSS of the process:        {mib:.1} MiB");
    }
    assert!(ranked > 0, "a realistic period ranks centros");
    println!("load average at end {}", common::load());
}
