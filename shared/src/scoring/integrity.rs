//! Fieldwork integrity (SCORING.md §8): pure checks on a survey's metadata. A survey with
//! any flag waits in review, out of the scores, until a supervisor approves it.

use super::settings::IntegrityLimits;

/// What the checks look at, for one survey.
#[derive(Debug, Clone, Copy, Default)]
pub struct SurveyMeta<'a> {
    /// Seconds from start to finalise.
    pub duration_seconds: Option<f64>,
    /// The `scale5` answers given (values 1..5), in form order.
    pub scale5_answers: &'a [u8],
    /// Where the survey was taken, (lat, lon) degrees.
    pub position: Option<(f64, f64)>,
    /// The centro's coordinates.
    pub centro_position: Option<(f64, f64)>,
    /// Device clock minus server clock at sync, in seconds.
    pub clock_skew_seconds: Option<i64>,
    /// When this survey was finalised (seconds on the surveyor's device timeline).
    pub finalised_at: i64,
    /// When the same surveyor finalised other surveys (same timeline), ascending.
    pub other_finalisations: &'a [i64],
    /// The citizen answered alone (kiosk, QR): the surveyor's burst rule does not apply,
    /// the centro's self-completed burst rule does.
    pub self_completed: bool,
    /// When other self-completed surveys were finalised at the same centro, ascending.
    pub centro_self_finalisations: &'a [i64],
}

/// One reason to review a survey.
#[derive(Debug, Clone, PartialEq)]
pub enum IntegrityFlag {
    TooFast { seconds: f64 },
    StraightLining { answers: usize, value: u8 },
    FarFromCentro { meters: f64 },
    ClockSkew { seconds: i64 },
    Burst { count: usize, window_seconds: i64 },
    /// Many self-completed surveys at one centro in a short time (SCORING.md §2).
    SelfBurst { count: usize, window_seconds: i64 },
}

impl IntegrityFlag {
    /// A stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            IntegrityFlag::TooFast { .. } => "too_fast",
            IntegrityFlag::StraightLining { .. } => "straight_lining",
            IntegrityFlag::FarFromCentro { .. } => "far_from_centro",
            IntegrityFlag::ClockSkew { .. } => "clock_skew",
            IntegrityFlag::Burst { .. } => "burst",
            IntegrityFlag::SelfBurst { .. } => "self_burst",
        }
    }
}

impl std::fmt::Display for IntegrityFlag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IntegrityFlag::TooFast { seconds } => write!(f, "contestada en {seconds:.0} s"),
            IntegrityFlag::StraightLining { answers, value } => {
                write!(f, "{answers} respuestas de escala, todas iguales ({value})")
            }
            IntegrityFlag::FarFromCentro { meters } => write!(f, "levantada a {meters:.0} m del centro"),
            IntegrityFlag::ClockSkew { seconds } => {
                write!(f, "el reloj del dispositivo difería {} min del servidor", seconds.abs() / 60)
            }
            IntegrityFlag::Burst { count, window_seconds } => {
                write!(f, "{count} encuestas finalizadas en {window_seconds} s por la misma persona")
            }
            IntegrityFlag::SelfBurst { count, window_seconds } => {
                write!(f, "{count} encuestas autoaplicadas en {window_seconds} s en el mismo centro")
            }
        }
    }
}

/// Great-circle distance in metres (haversine, mean Earth radius).
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    const R: f64 = 6_371_008.8;
    let (la1, lo1, la2, lo2) = (a.0.to_radians(), a.1.to_radians(), b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2) + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * R * h.sqrt().min(1.0).asin()
}

/// The finalisations within `window` seconds of `at`, as a slice of `sorted`, with the
/// position `at` takes among them (before any equal time): the merged sequence, without
/// copying it.
struct Around<'a> {
    near: &'a [i64],
    /// Where `near` starts in `sorted`.
    offset: usize,
    at: i64,
    /// The index `at` takes in the merged sequence.
    pos: usize,
}

impl<'a> Around<'a> {
    fn new(at: i64, sorted: &'a [i64], window: i64) -> Self {
        let first = sorted.partition_point(|t| *t < at.saturating_sub(window));
        let end = sorted.partition_point(|t| *t <= at.saturating_add(window));
        let near = &sorted[first..end.max(first)];
        let pos = near.partition_point(|t| *t < at);
        Around { near, offset: first, at, pos }
    }

    fn len(&self) -> usize {
        self.near.len() + 1
    }

    fn get(&self, j: usize) -> i64 {
        match j.cmp(&self.pos) {
            std::cmp::Ordering::Less => self.near[j],
            std::cmp::Ordering::Equal => self.at,
            std::cmp::Ordering::Greater => self.near[j - 1],
        }
    }

    /// For each right end, the widest window ending there that contains `at`, as
    /// (first, last) positions in the merged sequence: every window that contains `at`
    /// lies inside one of these.
    fn windows(&self, window: i64) -> impl Iterator<Item = (usize, usize)> + '_ {
        let mut lo = 0;
        (self.pos..self.len()).map(move |hi| {
            while self.get(hi) - self.get(lo) > window {
                lo += 1;
            }
            (lo, hi)
        })
        .filter(move |(lo, _)| *lo <= self.pos)
    }
}

/// The most finalisations, this one included, inside one window that contains it.
/// `sorted` is ascending.
fn burst_size(at: i64, sorted: &[i64], window: i64) -> usize {
    let around = Around::new(at, sorted, window);
    around.windows(window).map(|(lo, hi)| hi + 1 - lo).max().unwrap_or(1)
}

/// The other finalisations that are in a burst with the one at `at`: every one sharing with
/// it a window of `window` seconds that holds `count` or more finalisations (itself
/// included), as a range of indexes into `sorted` (ascending times). Empty when `at` is in
/// no burst.
///
/// Every such window contains `at`, so together they cover one run of the sorted times:
/// the answer is a range, found in time linear in the finalisations near `at` (a binary
/// search finds them). When a new finalisation arrives, these are exactly the earlier ones
/// that it may put in a burst: any window that becomes a burst because of it contains it.
pub fn burst_companions(at: i64, sorted: &[i64], window: i64, count: usize) -> std::ops::Range<usize> {
    let around = Around::new(at, sorted, window);
    let qualifying = around.windows(window).filter(|(lo, hi)| hi + 1 - lo >= count);
    let Some((first, last)) = qualifying.fold(None, |acc: Option<(usize, usize)>, (lo, hi)| match acc {
        None => Some((lo, hi)),
        Some((a, b)) => Some((a.min(lo), b.max(hi))),
    }) else {
        return 0..0;
    };
    // Merged positions first..=last hold `at` (first ≤ pos ≤ last); without it, they are
    // positions first..last of `near`.
    around.offset + first..around.offset + last
}

/// Every integrity flag of one survey, in the order of §8.
pub fn integrity_flags(meta: &SurveyMeta<'_>, limits: &IntegrityLimits) -> Vec<IntegrityFlag> {
    let mut flags = Vec::new();
    if let Some(s) = meta.duration_seconds.filter(|s| *s < limits.min_duration_seconds) {
        flags.push(IntegrityFlag::TooFast { seconds: s });
    }
    let answers = meta.scale5_answers;
    let all_equal = answers.windows(2).all(|w| w[0] == w[1]);
    if let (true, Some(&value)) = (answers.len() >= limits.straightline_min_answers && all_equal, answers.first()) {
        flags.push(IntegrityFlag::StraightLining { answers: answers.len(), value });
    }
    if let (Some(p), Some(c)) = (meta.position, meta.centro_position) {
        let meters = distance_m(p, c);
        if meters > limits.max_distance_m {
            flags.push(IntegrityFlag::FarFromCentro { meters });
        }
    }
    if let Some(skew) = meta.clock_skew_seconds.filter(|s| s.abs() > limits.max_clock_skew_seconds) {
        flags.push(IntegrityFlag::ClockSkew { seconds: skew });
    }
    if meta.self_completed {
        let window = limits.self_burst_window_seconds;
        let count = burst_size(meta.finalised_at, meta.centro_self_finalisations, window);
        if count >= limits.self_burst_count {
            flags.push(IntegrityFlag::SelfBurst { count, window_seconds: window });
        }
    } else {
        let count = burst_size(meta.finalised_at, meta.other_finalisations, limits.burst_window_seconds);
        if count >= limits.burst_count {
            flags.push(IntegrityFlag::Burst { count, window_seconds: limits.burst_window_seconds });
        }
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::MethodSettings;

    fn limits() -> IntegrityLimits {
        MethodSettings::default().integrity
    }

    fn codes(meta: &SurveyMeta<'_>) -> Vec<&'static str> {
        integrity_flags(meta, &limits()).iter().map(IntegrityFlag::code).collect()
    }

    #[test]
    fn a_normal_survey_has_no_flag() {
        let meta = SurveyMeta {
            duration_seconds: Some(150.0),
            scale5_answers: &[4, 5, 4, 4, 3, 5, 4, 4],
            position: Some((21.1219, -101.6834)),
            centro_position: Some((21.1220, -101.6830)),
            clock_skew_seconds: Some(-45),
            finalised_at: 1000,
            other_finalisations: &[700, 880, 1200],
            self_completed: false,
            centro_self_finalisations: &[990, 995, 1005, 1010],
        };
        assert!(codes(&meta).is_empty());
    }

    #[test]
    fn each_rule_flags_at_its_limit() {
        let fast = SurveyMeta { duration_seconds: Some(39.9), ..SurveyMeta::default() };
        assert_eq!(codes(&fast), ["too_fast"]);
        let exactly = SurveyMeta { duration_seconds: Some(40.0), ..SurveyMeta::default() };
        assert!(codes(&exactly).is_empty());
        let flat = SurveyMeta { scale5_answers: &[5; 8], ..SurveyMeta::default() };
        assert_eq!(codes(&flat), ["straight_lining"]);
        let seven = SurveyMeta { scale5_answers: &[5; 7], ..SurveyMeta::default() };
        assert!(codes(&seven).is_empty());
        // 0.003° of latitude ≈ 333.6 m.
        let far = SurveyMeta { position: Some((21.003, -101.0)), centro_position: Some((21.0, -101.0)), ..SurveyMeta::default() };
        assert_eq!(codes(&far), ["far_from_centro"]);
        let unknown = SurveyMeta { position: Some((22.0, -101.0)), ..SurveyMeta::default() };
        assert!(codes(&unknown).is_empty());
        let skew = SurveyMeta { clock_skew_seconds: Some(-601), ..SurveyMeta::default() };
        assert_eq!(codes(&skew), ["clock_skew"]);
        let ten_minutes = SurveyMeta { clock_skew_seconds: Some(600), ..SurveyMeta::default() };
        assert!(codes(&ten_minutes).is_empty());
    }

    #[test]
    fn three_finalisations_in_a_minute_are_a_burst() {
        let burst = SurveyMeta { finalised_at: 100, other_finalisations: &[60, 110], ..SurveyMeta::default() };
        assert_eq!(codes(&burst), ["burst"]);
        let spread = SurveyMeta { finalised_at: 100, other_finalisations: &[30, 170], ..SurveyMeta::default() };
        assert!(codes(&spread).is_empty());
        // Three in a window that does not include this one do not flag it.
        let elsewhere = SurveyMeta { finalised_at: 0, other_finalisations: &[61, 70, 80], ..SurveyMeta::default() };
        assert!(codes(&elsewhere).is_empty());
    }

    /// Self-completed surveys (kiosk, QR): five at one centro within a minute are a burst,
    /// whoever's device; the surveyor's burst rule does not apply to them.
    #[test]
    fn five_self_completed_surveys_at_a_centro_in_a_minute_are_a_self_burst() {
        let burst = SurveyMeta { finalised_at: 100, self_completed: true, centro_self_finalisations: &[50, 70, 90, 110], ..SurveyMeta::default() };
        assert_eq!(codes(&burst), ["self_burst"]);
        let four = SurveyMeta { finalised_at: 100, self_completed: true, centro_self_finalisations: &[50, 70, 90, 111], ..SurveyMeta::default() };
        assert!(codes(&four).is_empty(), "50 → 111 is 61 s: no minute holds five");
        let kiosk_of_one_user = SurveyMeta { finalised_at: 100, other_finalisations: &[60, 110], self_completed: true, ..SurveyMeta::default() };
        assert!(codes(&kiosk_of_one_user).is_empty(), "three finalisations on one kiosk are not a surveyor's burst");
        let interview = SurveyMeta { finalised_at: 100, centro_self_finalisations: &[50, 70, 90, 110], ..SurveyMeta::default() };
        assert!(codes(&interview).is_empty(), "an interview is not counted in the centro's self-completed surveys");
        let flag = IntegrityFlag::SelfBurst { count: 5, window_seconds: 60 };
        assert_eq!(flag.to_string(), "5 encuestas autoaplicadas en 60 s en el mismo centro");
    }

    #[test]
    fn burst_members_match_the_window_by_window_definition() {
        // The definition, window by window (cubic): the reference for the linear version.
        fn reference(at: i64, others: &[i64], window: i64, count: usize) -> Vec<usize> {
            let mut times: Vec<(i64, Option<usize>)> = others.iter().enumerate().filter(|(_, t)| (**t - at).abs() <= window).map(|(i, t)| (*t, Some(i))).collect();
            times.push((at, None));
            times.sort_unstable();
            let mut members = std::collections::BTreeSet::new();
            let mut lo = 0;
            for hi in 0..times.len() {
                while times[hi].0 - times[lo].0 > window {
                    lo += 1;
                }
                if times[lo].0 <= at && at <= times[hi].0 && hi + 1 - lo >= count {
                    members.extend(times[lo..=hi].iter().filter_map(|t| t.1));
                }
            }
            members.into_iter().collect()
        }
        fn reference_size(at: i64, others: &[i64], window: i64) -> usize {
            (at - window..=at).map(|start| 1 + others.iter().filter(|t| (start..=start + window).contains(*t)).count()).max().unwrap_or(1)
        }
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |m: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % m
        };
        for _ in 0..2_000 {
            let n = next(30) as usize;
            let mut others: Vec<i64> = (0..n).map(|_| next(400) as i64).collect();
            others.sort_unstable();
            let at = next(400) as i64;
            let (window, count) = (next(120) as i64, 2 + next(5) as usize);
            let found: Vec<usize> = burst_companions(at, &others, window, count).collect();
            assert_eq!(found, reference(at, &others, window, count), "{at} {others:?} {window} {count}");
            let size = reference_size(at, &others, window);
            assert_eq!(burst_size(at, &others, window), size, "{at} {others:?} {window}");
        }
    }

    #[test]
    fn every_member_of_a_burst_is_named() {
        // 0, 30, 55 are a burst with 50; 101 too (50, 55, 101 lie within 51 s); 200 and
        // 111 (61 s after) are not.
        assert_eq!(burst_companions(50, &[0, 30, 55, 101, 111, 200], 60, 3), 0..4);
        // A window that holds the new one and two others, at its edges.
        assert_eq!(burst_companions(60, &[0, 120], 60, 3), 0..0);
        assert_eq!(burst_companions(60, &[0, 60, 120], 60, 3), 0..3);
        // Not enough for a burst: nobody is named.
        assert_eq!(burst_companions(10, &[0], 60, 3), 0..0);
        // Equal times count.
        assert_eq!(burst_companions(5, &[5, 5], 60, 3), 0..2);
        // Far finalisations on both sides are outside the range, by index into the whole day.
        assert_eq!(burst_companions(1000, &[0, 10, 990, 995, 1100, 5000], 60, 3), 2..4);
    }

    #[test]
    fn distance_by_hand() {
        // One degree of latitude on the mean sphere: 2πR/360 = 111 195.08 m.
        let d = distance_m((20.0, -101.0), (21.0, -101.0));
        assert!((d - 111_195.08).abs() < 0.1, "{d}");
    }
}
