//! The Vertical Pod Autoscaler recommender's arithmetic, as static facts of the model: the
//! target a history of one CPU usage level gives, and the capping the admission controller and
//! the updater apply to it. Owns these numbers and nothing else: which recommendation holds
//! when, and what the updater does with it, is `model/controllers/vpa.rs`'s.
//!
//! Follows kubernetes/autoscaler vertical-pod-autoscaler:
//! - `pkg/recommender/util/histogram_options.go` (`NewExponentialHistogramOptions`,
//!   `FindBucket`, `GetBucketStart`) and `pkg/recommender/util/histogram.go` (`Percentile`:
//!   the end of the bucket that reaches the percentile's weight);
//! - `pkg/recommender/model/aggregations_config.go` (CPU histograms: first bucket 0.001 core,
//!   1000 cores at most; memory: first bucket 1e7 bytes, 1e12 at most; buckets 5 % wider each);
//! - `pkg/recommender/logic/recommender.go` (`CreatePodResourceRecommender`: the target is the
//!   90th percentile of CPU usage and of memory peaks, plus a safety margin of 15 %, at least
//!   25 millicores and 250 MiB per pod split evenly over its containers) and
//!   `pkg/recommender/logic/estimator.go` (`GetCPUEstimation`: `CPUAmountFromCores` truncates
//!   to millicores, the margin `ScaleResource(base, 0.15)` truncates and is added, the minimum
//!   is a max);
//! - `pkg/utils/vpa/capping.go` (`applyVPAPolicy`: the target clamped to the container
//!   policy's `minAllowed` and `maxAllowed`).
//!
//! A history made of samples at a few usage levels (the levels kbmc's state holds) has its 90th
//! percentile at the bucket end of one of them, whatever the weights: so each usage level gives
//! one possible target, computed here exactly. Upstream computes in float64; so does this
//! module, with the same formulas, so a value on a bucket boundary rounds as upstream's does
//! up to the last bit of `ln`.

/// Each bucket is this much wider than the one before (`DefaultHistogramBucketSizeGrowth`).
const RATIO: f64 = 1.05;
/// The CPU histogram: first bucket size and largest value, in cores.
const CPU_FIRST: f64 = 0.001;
const CPU_MAX: f64 = 1000.0;
/// The memory histogram: first bucket size and largest value, in bytes.
const MEMORY_FIRST: f64 = 1e7;
const MEMORY_MAX: f64 = 1e12;
/// The target's percentile and safety margin (`--target-cpu-percentile`,
/// `--recommendation-margin-fraction` defaults).
const SAFETY_MARGIN: f64 = 0.15;
/// `--pod-recommendation-min-cpu-millicores` and `--pod-recommendation-min-memory-mb`.
pub const POD_MIN_CPU_MILLI: f64 = 25.0;
pub const POD_MIN_MEMORY_MB: f64 = 250.0;

fn log_ratio(x: f64) -> f64 {
    x.ln() / RATIO.ln()
}

/// The number of buckets of an exponential histogram.
fn buckets(first: f64, max: f64) -> usize {
    log_ratio(max * (RATIO - 1.0) / first + 1.0).ceil() as usize + 1
}

fn bucket_of(value: f64, first: f64, n: usize) -> usize {
    if value < first {
        return 0;
    }
    (log_ratio(value * (RATIO - 1.0) / first + 1.0) as usize).min(n - 1)
}

fn bucket_start(bucket: usize, first: f64) -> f64 {
    if bucket == 0 {
        return 0.0;
    }
    first * (RATIO.powi(bucket as i32) - 1.0) / (RATIO - 1.0)
}

/// Any percentile of a histogram whose samples all lie at `value`: the end of its bucket
/// (the start of the last bucket for a value in the last one).
fn percentile_at(value: f64, first: f64, max: f64) -> f64 {
    let n = buckets(first, max);
    let b = bucket_of(value, first, n);
    if b < n - 1 {
        bucket_start(b + 1, first)
    } else {
        bucket_start(b, first)
    }
}

/// base + ScaleResource(base, margin), both truncated to integers as `ResourceAmount`s are.
fn with_margin(base: i64) -> i64 {
    base + (base as f64 * SAFETY_MARGIN) as i64
}

/// The recommender's CPU target (millicores) for one container of a pod of `containers`
/// containers whose usage history is `usage_milli`.
pub fn cpu_target_milli(usage_milli: i64, containers: usize) -> i64 {
    let p = percentile_at(usage_milli as f64 / 1000.0, CPU_FIRST, CPU_MAX);
    let base = (p * 1000.0) as i64;
    let min = ((POD_MIN_CPU_MILLI * 0.001 * 1000.0) as i64 as f64 / containers as f64) as i64;
    with_margin(base).max(min)
}

/// The recommender's memory target (bytes) for one container of a pod of `containers`
/// containers whose memory peaks are `usage_bytes`.
pub fn memory_target(usage_bytes: i64, containers: usize) -> i64 {
    let p = percentile_at(usage_bytes as f64, MEMORY_FIRST, MEMORY_MAX);
    let base = p as i64;
    let min = ((POD_MIN_MEMORY_MB * 1024.0 * 1024.0) as i64 as f64 / containers as f64) as i64;
    with_margin(base).max(min)
}

/// A target clamped to a container policy's `minAllowed` and `maxAllowed` (`applyVPAPolicy`:
/// the maximum is applied last, so it wins where the two cross).
pub fn cap(target: i64, min: Option<i64>, max: Option<i64>) -> i64 {
    let t = min.map_or(target, |m| target.max(m));
    max.map_or(t, |m| t.min(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// histogram_options_test.go `TestExponentialHistogramOptions`: with first bucket 10 and
    /// ratio 2 upstream has buckets [0, 10), [10, 30), [30, 70), ...; here the same layout with
    /// the VPA's own ratio: bucket starts grow by 5 % of the previous width.
    #[test]
    fn bucket_layout_follows_the_exponential_options() {
        assert_eq!(bucket_start(0, 0.001), 0.0);
        assert!((bucket_start(1, 0.001) - 0.001).abs() < 1e-15);
        assert!((bucket_start(2, 0.001) - 0.00205).abs() < 1e-15);
        assert_eq!(bucket_of(0.0005, 0.001, buckets(0.001, 1000.0)), 0);
        assert_eq!(bucket_of(0.001, 0.001, buckets(0.001, 1000.0)), 1);
        // A value beyond the largest lands in the last bucket.
        let n = buckets(0.001, 1000.0);
        assert_eq!(bucket_of(5000.0, 0.001, n), n - 1);
    }

    /// A steady usage is recommended at its bucket's end (at most 5 % above it) plus the 15 %
    /// safety margin.
    #[test]
    fn a_steady_usage_is_recommended_at_its_bucket_end_plus_the_margin() {
        for u in [100, 250, 600, 1000, 3000, 8000] {
            let t = cpu_target_milli(u, 1);
            let lo = (u as f64 * 1.15) as i64;
            let hi = (u as f64 * 1.05 * 1.15) as i64 + 2;
            assert!(lo <= t && t <= hi, "usage {u}m gave {t}m, expected within [{lo}, {hi}]");
        }
    }

    /// recommender_test.go `TestMinResourcesApplied` (1m CPU and 1e6 bytes are raised to
    /// 25m and 250 MiB) and `TestMinResourcesSplitAcrossContainers` (two containers get half
    /// each).
    #[test]
    fn minimum_resources_per_pod_are_split_over_containers() {
        assert_eq!(cpu_target_milli(1, 1), 25);
        assert_eq!(memory_target(1_000_000, 1), 250 * 1024 * 1024);
        assert_eq!(cpu_target_milli(1, 2), 12);
        assert_eq!(memory_target(1_000_000, 2), 125 * 1024 * 1024);
    }

    /// capping_test.go `TestRecommendationCappedToMinMaxPolicy` (CPU 30 with minAllowed 40 and
    /// maxAllowed 45 gives 40; memory 5000 with 4000..4500 gives 4500) and `TestApplyVPAPolicy`
    /// ("resource policy has min allowed": 42m to 50m; "has max allowed": 42m to 40m).
    #[test]
    fn capping_to_min_and_max_allowed() {
        assert_eq!(cap(30, Some(40), Some(45)), 40);
        assert_eq!(cap(5000, Some(4000), Some(4500)), 4500);
        assert_eq!(cap(42, Some(50), None), 50);
        assert_eq!(cap(42, None, Some(40)), 40);
        // Bounds that cross: the maximum is applied last.
        assert_eq!(cap(500, Some(2000), Some(1000)), 1000);
    }
}
