//! Which period's pinned method settings apply to a record, by its capture date: the
//! integrity limits that flag it and the indicator items it is reduced with are those of
//! the period it belongs to, not the method's defaults.

use std::collections::HashMap;

use chrono::NaiveDate;
use shared::protocol::PeriodState;
use shared::scoring::{MethodSettings, Period};

/// The periods as ingest sees them (a snapshot, replaced whenever a period changes).
#[derive(Debug, Clone, Default)]
pub struct PeriodSettings {
    periods: Vec<Period>,
    fallback: MethodSettings,
    /// The periods that are not open (a record of theirs arrives after the close).
    states: HashMap<String, PeriodState>,
}

impl PeriodSettings {
    pub fn new(periods: Vec<Period>) -> Self {
        Self { periods, fallback: MethodSettings::default(), states: HashMap::new() }
    }

    /// The same periods with their states.
    pub fn with_states(&self, states: impl IntoIterator<Item = (String, PeriodState)>) -> Self {
        Self { states: states.into_iter().filter(|(_, s)| *s != PeriodState::Abierto).collect(), ..self.clone() }
    }

    /// The state of period `id` (open when unknown).
    pub fn state(&self, id: &str) -> PeriodState {
        self.states.get(id).copied().unwrap_or(PeriodState::Abierto)
    }

    /// The period a record captured on `date` belongs to: the one whose dates include it
    /// (where periods overlap, the one that starts last, then the greatest id).
    pub fn covering(&self, date: NaiveDate) -> Option<&Period> {
        self.periods.iter().filter(|p| p.contains(date)).max_by(|a, b| (a.start, &a.id).cmp(&(b.start, &b.id)))
    }

    /// The period `id`, if it exists.
    pub fn period(&self, id: &str) -> Option<&Period> {
        self.periods.iter().find(|p| p.id == id)
    }

    /// The settings for a record captured on `date`: its period's, or the method's
    /// defaults when no period covers it (the record is stored and reported as outside
    /// every period).
    pub fn settings_for(&self, date: NaiveDate) -> &MethodSettings {
        self.covering(date).map_or(&self.fallback, |p| &p.settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(id: &str, start: &str, end: &str, min_duration: f64) -> Period {
        let mut settings = MethodSettings::default();
        settings.integrity.min_duration_seconds = min_duration;
        Period { id: id.into(), start: start.parse().expect("date"), end: end.parse().expect("date"), settings }
    }

    #[test]
    fn a_date_takes_its_periods_settings_and_the_latest_start_wins_an_overlap() {
        let p = PeriodSettings::new(vec![period("2026", "2026-01-01", "2026-12-31", 10.0), period("2026-S2", "2026-07-01", "2026-12-31", 30.0)]);
        let d = |s: &str| s.parse::<NaiveDate>().expect("date");
        assert_eq!(p.covering(d("2026-03-01")).map(|p| p.id.as_str()), Some("2026"));
        assert_eq!(p.covering(d("2026-08-01")).map(|p| p.id.as_str()), Some("2026-S2"));
        assert!((p.settings_for(d("2026-08-01")).integrity.min_duration_seconds - 30.0).abs() < f64::EPSILON);
        assert_eq!(p.covering(d("2027-01-01")), None);
        assert_eq!(p.settings_for(d("2027-01-01")), &MethodSettings::default());
        let closed = p.with_states([("2026".to_string(), PeriodState::Cerrado), ("2026-S2".to_string(), PeriodState::Abierto)]);
        assert_eq!((closed.state("2026"), closed.state("2026-S2"), closed.state("otro")), (PeriodState::Cerrado, PeriodState::Abierto, PeriodState::Abierto));
    }
}
