//! The components other than the ISC: checklist compliance (ICV), improvement commitments
//! (IACM), complaint handling (IGQ), and the composite (IGC). Each is a pure function of
//! one centro's records, which the caller passes sorted so that floating-point sums run in
//! a fixed order.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};

use super::inputs::{Commitment, Complaint, Period, VisitItem};
use super::settings::MethodSettings;
use super::stats::ExactSum;

/// One visit's pillar scores P(p) and its ICV; `None` when no pillar applies.
pub fn visit_icv(items: &[VisitItem], settings: &MethodSettings) -> Option<(f64, BTreeMap<String, f64>)> {
    let mut sums: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    for item in items {
        let Some(score) = item.score else { continue };
        if !settings.pillar_weights.contains_key(&item.pillar) {
            continue;
        }
        let entry = sums.entry(item.pillar.as_str()).or_default();
        entry.0 += item.weight * f64::from(score.min(2));
        entry.1 += 2.0 * item.weight;
    }
    let pillars: BTreeMap<String, f64> = sums
        .into_iter()
        .filter(|(_, (_, den))| *den > 0.0)
        .map(|(p, (num, den))| (p.to_string(), num / den * 100.0))
        .collect();
    let (mut num, mut den) = (0.0, 0.0);
    for (p, score) in &pillars {
        let w = settings.pillar_weights.get(p).copied().unwrap_or(0.0);
        num += w * score;
        den += w;
    }
    (den > 0.0).then(|| (num / den, pillars))
}

/// ICV of a centro over the period's visits.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IcvResult {
    /// Visits with at least one applicable pillar.
    pub visits: u64,
    pub icv: Option<f64>,
    /// Sample SD / √m for m ≥ 2 visits; `None` for one visit.
    pub se: Option<f64>,
    /// Mean P(p) per pillar over the visits that scored it.
    pub pillar_means: BTreeMap<String, f64>,
    /// A critical item scored 0 in some visit.
    pub critical_failure: bool,
}

/// ICV over `visits` (the items of each visit of the period).
pub fn icv(visits: &[&[VisitItem]], settings: &MethodSettings) -> IcvResult {
    let mut all = ExactSum::default();
    let mut per_pillar: BTreeMap<String, ExactSum> = BTreeMap::new();
    let mut critical_failure = false;
    for items in visits {
        critical_failure |= items.iter().any(|i| i.critical && i.score == Some(0));
        if let Some((value, pillars)) = visit_icv(items, settings) {
            all.add(value);
            for (p, s) in pillars {
                per_pillar.entry(p).or_default().add(s);
            }
        }
    }
    let m = all.n();
    IcvResult {
        visits: m,
        icv: all.mean(),
        se: all.sample_sd().map(|sd| sd / (m as f64).sqrt()),
        pillar_means: per_pillar.into_iter().filter_map(|(p, s)| s.mean().map(|v| (p, v))).collect(),
        critical_failure,
    }
}

/// IACM of a centro.
#[derive(Debug, Clone, PartialEq)]
pub struct IacmResult {
    /// 0–100; 0 when fewer than the minimum commitments have due milestones.
    pub value: f64,
    /// Commitments with at least one milestone due by the period's end.
    pub commitments: usize,
    /// Fewer than `min_commitments` such commitments.
    pub insufficient: bool,
}

/// The credit of one milestone due on or before the period's end.
pub fn milestone_credit(due: NaiveDate, verified_on: Option<NaiveDate>, period: &Period, settings: &MethodSettings) -> f64 {
    let t = &settings.commitments;
    match verified_on {
        Some(v) if v > period.end => 0.0,
        Some(v) if v <= due => t.on_time_credit,
        Some(v) if (v - due).num_days() <= t.late_days => t.late_credit,
        Some(_) => t.very_late_credit,
        None => 0.0,
    }
}

/// IACM over a centro's commitments (sorted by id).
pub fn iacm(commitments: &[&Commitment], period: &Period, settings: &MethodSettings) -> IacmResult {
    let (mut num, mut den, mut counted) = (0.0, 0.0, 0usize);
    for c in commitments {
        let due: Vec<f64> = c
            .milestones
            .iter()
            .filter(|m| m.due <= period.end)
            .map(|m| milestone_credit(m.due, m.verified_on, period, settings))
            .collect();
        if due.is_empty() {
            continue;
        }
        let a = due.iter().sum::<f64>() / due.len() as f64;
        num += c.impact * a;
        den += c.impact;
        counted += 1;
    }
    let insufficient = counted < settings.commitments.min_commitments;
    let value = if insufficient || den <= 0.0 { 0.0 } else { num / den * 100.0 };
    IacmResult { value, commitments: counted, insufficient }
}

/// Monday-to-Friday days after `received`, up to and including `responded`.
pub fn business_days(received: NaiveDate, responded: NaiveDate) -> i64 {
    if responded <= received {
        return 0;
    }
    let days = (responded - received).num_days();
    let (weeks, rest) = (days / 7, days % 7);
    let mut count = weeks * 5;
    let mut d = received + chrono::Duration::days(weeks * 7);
    for _ in 0..rest {
        d = d.succ_opt().unwrap_or(d);
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            count += 1;
        }
    }
    count
}

/// IGQ of a centro.
#[derive(Debug, Clone, PartialEq)]
pub struct IgqResult {
    /// 0–100, or `None` with no complaints and no visit scoring the fallback pillar.
    pub value: Option<f64>,
    /// Complaints received in the period.
    pub complaints: usize,
    /// Shares answered in term, with a corrective action, acknowledged (when complaints > 0).
    pub shares: Option<(f64, f64, f64)>,
    /// The value is the visits' complaints-pillar mean (no complaints in the period).
    pub from_visits: bool,
}

/// IGQ over a centro's complaints; `fallback` is the mean fallback-pillar score of the
/// period's visits.
pub fn igq(complaints: &[&Complaint], period: &Period, fallback: Option<f64>, settings: &MethodSettings) -> IgqResult {
    let t = &settings.complaints;
    let received: Vec<&&Complaint> = complaints.iter().filter(|c| period.contains(c.received)).collect();
    if received.is_empty() {
        return IgqResult { value: fallback, complaints: 0, shares: None, from_visits: fallback.is_some() };
    }
    let n = received.len() as f64;
    let share = |f: &dyn Fn(&Complaint) -> bool| received.iter().filter(|c| f(c)).count() as f64 / n;
    let p1 = share(&|c| c.responded.is_some_and(|r| business_days(c.received, r) <= t.term_business_days));
    let p2 = share(&|c| c.corrective_action);
    let p3 = share(&|c| c.acknowledged);
    let value = t.in_term_weight * p1 + t.corrective_weight * p2 + t.acknowledged_weight * p3;
    IgqResult { value: Some(value), complaints: received.len(), shares: Some((p1, p2, p3)), from_visits: false }
}

/// IGC and its SE over the available components (value, SE), in the order ISC, ICV,
/// IACM, IGQ. Returns (IGC, SE, complete).
pub fn composite(components: [Option<(f64, f64)>; 4], settings: &MethodSettings) -> Option<(f64, f64, bool)> {
    let c = &settings.component_weights;
    let weights = [c.isc, c.icv, c.iacm, c.igq];
    let (mut num, mut den) = (0.0, 0.0);
    for (x, w) in components.iter().zip(weights) {
        if let Some((value, _)) = x {
            num += w * value;
            den += w;
        }
    }
    if den <= 0.0 {
        return None;
    }
    let var: f64 = components
        .iter()
        .zip(weights)
        .filter_map(|(x, w)| x.map(|(_, se)| (w / den).powi(2) * se * se))
        .sum();
    Some((num / den, var.sqrt(), components.iter().all(Option::is_some)))
}
