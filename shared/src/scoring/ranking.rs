//! Eligibility, shrinkage within each category, rank, ties and tiers (SCORING.md §7).

use std::collections::BTreeMap;

use super::inputs::Category;
use super::output::{CategoryStats, CentroScore, Tier};
use super::settings::MethodSettings;

/// Shrinks, ranks and tiers `scores` (sorted by centro id) in place.
pub(crate) fn rank(scores: &mut [CentroScore], settings: &MethodSettings) -> BTreeMap<Category, CategoryStats> {
    let mut by_category: BTreeMap<Category, Vec<usize>> = BTreeMap::new();
    for (i, s) in scores.iter().enumerate() {
        if s.eligible() && s.igc.is_some() {
            by_category.entry(s.category).or_default().push(i);
        }
    }
    let mut stats: BTreeMap<Category, CategoryStats> = BTreeMap::new();
    for s in scores.iter() {
        stats.entry(s.category).or_insert(CategoryStats { eligible: 0, mean: None, tau2: None });
    }
    for (category, members) in by_category {
        let entry = shrink(scores, &members, settings);
        order(scores, &members, settings.z);
        stats.insert(category, entry);
    }
    for s in scores.iter_mut() {
        s.ranking.tier = tier(s, settings);
    }
    stats
}

fn igc_se(s: &CentroScore) -> (f64, f64) {
    (s.igc.unwrap_or(0.0), s.igc_se.unwrap_or(0.0))
}

fn shrink(scores: &mut [CentroScore], members: &[usize], settings: &MethodSettings) -> CategoryStats {
    let k = members.len();
    if k < settings.eligibility.min_centros_for_shrinkage || k < 2 {
        for &i in members {
            let (igc, se) = igc_se(&scores[i]);
            scores[i].ranking.igc_star = Some(igc);
            scores[i].ranking.se_star = Some(se);
        }
        return CategoryStats { eligible: k, mean: None, tau2: None };
    }
    let kf = k as f64;
    let mu = members.iter().map(|&i| igc_se(&scores[i]).0).sum::<f64>() / kf;
    let variance = members.iter().map(|&i| (igc_se(&scores[i]).0 - mu).powi(2)).sum::<f64>() / (kf - 1.0);
    let mean_se2 = members.iter().map(|&i| igc_se(&scores[i]).1.powi(2)).sum::<f64>() / kf;
    let tau2 = (variance - mean_se2).max(0.0);
    for &i in members {
        let (igc, se) = igc_se(&scores[i]);
        let b = if tau2 > 0.0 { tau2 / (tau2 + se * se) } else { 0.0 };
        scores[i].ranking.shrinkage = Some(b);
        scores[i].ranking.igc_star = Some(b * igc + (1.0 - b) * mu);
        scores[i].ranking.se_star = Some(b.sqrt() * se);
    }
    CategoryStats { eligible: k, mean: Some(mu), tau2: Some(tau2) }
}

fn order(scores: &mut [CentroScore], members: &[usize], z: f64) {
    let mut sorted = members.to_vec();
    let star = |s: &CentroScore| (s.ranking.igc_star.unwrap_or(0.0), s.ranking.se_star.unwrap_or(0.0));
    sorted.sort_by(|&a, &b| {
        star(&scores[b]).0.total_cmp(&star(&scores[a]).0).then_with(|| scores[a].centro_id.cmp(&scores[b].centro_id))
    });
    for (pos, &i) in sorted.iter().enumerate() {
        scores[i].ranking.rank = Some(u32::try_from(pos + 1).unwrap_or(u32::MAX));
        scores[i].ranking.tied_with_next = sorted.get(pos + 1).is_some_and(|&j| {
            let ((a, sa), (b, sb)) = (star(&scores[i]), star(&scores[j]));
            (a - b).abs() <= z * (sa * sa + sb * sb).sqrt()
        });
    }
}

fn tier(s: &CentroScore, settings: &MethodSettings) -> Tier {
    let (Some(star), true) = (s.ranking.igc_star, s.eligible()) else { return Tier::NoElegible };
    let (igc, se) = igc_se(s);
    let t = &settings.tiers;
    if star >= t.outstanding_min && igc - settings.z * se >= t.outstanding_lower_min {
        Tier::Destacado
    } else if star >= t.satisfactory_min {
        Tier::Satisfactorio
    } else {
        Tier::EnMejora
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::inputs::{Ambito, Tipo};
    use crate::scoring::output::{Ineligibility, Ranking};

    const CAT: Category = Category { ambito: Ambito::Estatal, tipo: Tipo::Tramites };
    const OTHER: Category = Category { ambito: Ambito::Municipal, tipo: Tipo::Servicios };

    fn centro(id: &str, category: Category, igc: f64, se: f64) -> CentroScore {
        CentroScore {
            centro_id: id.into(),
            category,
            n: 100,
            n_isc: 100,
            sampling_days: 5,
            isc: Some(igc),
            isc_se: Some(se),
            isc_ci: None,
            deff: 1.0,
            n_eff: 100.0,
            dimension_means: BTreeMap::new(),
            csat: None,
            dissatisfied: None,
            bribe: None,
            visits: 2,
            icv: Some(igc),
            icv_se: None,
            pillar_means: BTreeMap::new(),
            critical_failure: false,
            iacm: igc,
            commitments: 2,
            insufficient_commitments: false,
            igq: Some(igc),
            complaints: 1,
            igq_from_visits: false,
            igc: Some(igc),
            igc_se: Some(se),
            complete: true,
            other_modes: Vec::new(),
            ranking: Ranking::default(),
            reasons: Vec::new(),
        }
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn tau2_zero_pulls_everyone_to_the_mean_and_ties_them() {
        // IGC 80, 81, 82 with SE 5: variance 1 < mean SE² 25, so τ² = 0 and B = 0.
        let mut s = vec![centro("a", CAT, 80.0, 5.0), centro("b", CAT, 81.0, 5.0), centro("c", CAT, 82.0, 5.0)];
        let stats = rank(&mut s, &MethodSettings::default());
        assert_eq!(stats[&CAT].tau2, Some(0.0));
        assert!(s.iter().all(|c| close(c.ranking.igc_star, 81.0) && close(c.ranking.se_star, 0.0) && c.ranking.shrinkage == Some(0.0)));
        // Equal IGC*: ordered by centro id, each tied with the next.
        let ranks: Vec<_> = s.iter().map(|c| (c.ranking.rank, c.ranking.tied_with_next)).collect();
        assert_eq!(ranks, [(Some(1), true), (Some(2), true), (Some(3), false)]);
        assert!(s.iter().all(|c| c.ranking.tier == Tier::Satisfactorio));
    }

    #[test]
    fn tau2_positive_shrinks_each_by_its_own_precision() {
        // IGC 60, 80, 100; SE 2, 4, 0. μ = 80, variance 400, mean SE² 20/3, τ² = 393.33…
        let mut s = vec![centro("a", CAT, 60.0, 2.0), centro("b", CAT, 80.0, 4.0), centro("c", CAT, 100.0, 0.0)];
        let stats = rank(&mut s, &MethodSettings::default());
        let tau2 = 400.0 - 20.0 / 3.0;
        assert!(close(stats[&CAT].tau2, tau2));
        assert!(close(stats[&CAT].mean, 80.0));
        let b_a = tau2 / (tau2 + 4.0);
        assert!(close(s[0].ranking.igc_star, b_a * 60.0 + (1.0 - b_a) * 80.0));
        assert!(close(s[0].ranking.se_star, b_a.sqrt() * 2.0));
        assert!(close(s[1].ranking.igc_star, 80.0));
        assert!(close(s[2].ranking.igc_star, 100.0) && s[2].ranking.shrinkage == Some(1.0));
        assert_eq!(s.iter().map(|c| c.ranking.rank).collect::<Vec<_>>(), [Some(3), Some(2), Some(1)]);
        assert!(s.iter().all(|c| !c.ranking.tied_with_next));
    }

    #[test]
    fn fewer_than_three_eligible_are_ranked_unshrunk() {
        let mut s = vec![centro("a", CAT, 70.0, 3.0), centro("b", CAT, 90.0, 1.0), centro("x", OTHER, 50.0, 1.0)];
        s[0].reasons.push(Ineligibility::CriticalFailure);
        let stats = rank(&mut s, &MethodSettings::default());
        assert_eq!(stats[&CAT].eligible, 1);
        assert!(close(s[1].ranking.igc_star, 90.0) && close(s[1].ranking.se_star, 1.0) && s[1].ranking.shrinkage.is_none());
        assert_eq!((s[0].ranking.rank, s[0].ranking.igc_star, s[0].ranking.tier), (None, None, Tier::NoElegible));
        assert_eq!(s[2].ranking.rank, Some(1));
    }

    #[test]
    fn tiers_follow_the_thresholds() {
        let settings = MethodSettings::default();
        // IGC 92, SE 3: 92 − 5.88 = 86.12 ≥ 85 → destacado; SE 4: 84.16 < 85 → satisfactorio.
        let mut s = vec![centro("a", CAT, 92.0, 3.0), centro("b", OTHER, 92.0, 4.0)];
        rank(&mut s, &settings);
        assert_eq!((s[0].ranking.tier, s[1].ranking.tier), (Tier::Destacado, Tier::Satisfactorio));
        let mut low = vec![centro("c", CAT, 74.99, 0.5), centro("d", OTHER, 75.0, 0.5)];
        rank(&mut low, &settings);
        assert_eq!((low[0].ranking.tier, low[1].ranking.tier), (Tier::EnMejora, Tier::Satisfactorio));
    }

    #[test]
    fn close_scores_are_ties_far_ones_are_not() {
        // Unshrunk (two centros): |90 − 86| = 4 ≤ 1.96·√(2² + 1²) = 4.38 → tied.
        let mut s = vec![centro("a", CAT, 90.0, 2.0), centro("b", CAT, 86.0, 1.0)];
        rank(&mut s, &MethodSettings::default());
        assert!(s[0].ranking.tied_with_next && !s[1].ranking.tied_with_next);
        let mut t = vec![centro("a", CAT, 90.0, 2.0), centro("b", CAT, 85.0, 1.0)];
        rank(&mut t, &MethodSettings::default());
        assert!(!t[0].ranking.tied_with_next);
    }
}
