//! How a collection reports its progress on standard error: a bar per phase on a
//! terminal (signing in to the accounts, then one bar per service counting its
//! (account, region) units), plain `collect: ...` log lines otherwise (CI logs, files),
//! or nothing.

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::sync::atomic::{AtomicU64, Ordering};

/// How a collection reports progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Progress {
    /// Nothing on standard error.
    Quiet,
    /// One `collect: ...` line per event (sign-in, each finished unit, each gap): for
    /// logs, where bars would be noise.
    #[default]
    Lines,
    /// Progress bars, for a terminal; gaps are still printed as lines above them.
    Bars,
}

/// Reports the events of one collection in its [`Progress`] mode.
pub(crate) struct Reporter {
    mode: Progress,
    bars: Option<Bars>,
}

/// The bars of [`Progress::Bars`].
struct Bars {
    multi: MultiProgress,
    accounts: ProgressBar,
    services: Vec<ServiceBar>,
}

/// The bar of one service and its gaps so far.
struct ServiceBar {
    name: &'static str,
    bar: ProgressBar,
    gaps: AtomicU64,
}

/// What a finished unit reports.
pub(crate) struct UnitOutcome<'a> {
    /// The service prefix (`iam`, `ec2`, ...).
    pub service: &'static str,
    /// The log line describing it (`ACCOUNT REGION SERVICE: ok in 0.3s`).
    pub line: &'a str,
    /// Whether it ended with a coverage gap.
    pub gap: bool,
}

impl Reporter {
    /// A reporter for `services`, in the order their bars are shown.
    pub fn new(mode: Progress, services: &[&'static str]) -> Reporter {
        let bars = (mode == Progress::Bars).then(|| Bars::new(services));
        Reporter { mode, bars }
    }

    /// A line of its own (`collect: TEXT`), above the bars if there are any.
    pub fn line(&self, text: &str) {
        match (&self.mode, &self.bars) {
            (Progress::Quiet, _) => {}
            (_, Some(bars)) => {
                // Printing fails only when standard error is gone: nothing to report to.
                let _ = bars.multi.println(format!("collect: {text}"));
            }
            (_, None) => eprintln!("collect: {text}"),
        }
    }

    /// `count` accounts will be signed in to.
    pub fn accounts_planned(&self, count: usize) {
        if let Some(bars) = &self.bars {
            bars.accounts.inc_length(count as u64);
        }
    }

    /// One account is signed in to (or failed to be) and its units are planned:
    /// `units` lists the service of each.
    pub fn account_ready(&self, units: impl IntoIterator<Item = &'static str>) {
        if let Some(bars) = &self.bars {
            bars.accounts.inc(1);
            for service in units {
                if let Some(service) = bars.service(service) {
                    service.bar.inc_length(1);
                }
            }
        }
    }

    /// One (account, region, service) unit finished.
    pub fn unit_done(&self, outcome: UnitOutcome<'_>) {
        match &self.bars {
            None => self.line(outcome.line),
            Some(bars) => {
                if let Some(service) = bars.service(outcome.service) {
                    service.bar.inc(1);
                    if outcome.gap {
                        let gaps = service.gaps.fetch_add(1, Ordering::Relaxed) + 1;
                        service.bar.set_message(format!("{gaps} gaps"));
                    }
                }
                if outcome.gap {
                    self.line(outcome.line);
                }
            }
        }
    }

    /// Collection is over: the bars stay on screen in their final state.
    pub fn finish(&self) {
        if let Some(bars) = &self.bars {
            bars.accounts.finish();
            for service in &bars.services {
                service.bar.finish();
            }
        }
    }
}

impl Bars {
    fn new(services: &[&'static str]) -> Bars {
        let multi = MultiProgress::new();
        let style = ProgressStyle::with_template(
            "{prefix:>15} [{bar:30}] {pos:>4}/{len:<4} {elapsed:>4} {msg}",
        )
        .expect("the progress template is valid")
        .progress_chars("=> ");
        let bar = |prefix: &'static str| {
            let bar = multi.add(ProgressBar::new(0).with_style(style.clone()));
            bar.set_prefix(prefix);
            bar
        };
        let accounts = bar("accounts");
        let services = services
            .iter()
            .map(|name| ServiceBar {
                name,
                bar: bar(name),
                gaps: AtomicU64::new(0),
            })
            .collect();
        Bars {
            multi,
            accounts,
            services,
        }
    }

    fn service(&self, name: &str) -> Option<&ServiceBar> {
        self.services.iter().find(|service| service.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_count_planned_and_finished_units_and_gaps() {
        let reporter = Reporter::new(Progress::Bars, &["iam", "ec2"]);
        let bars = reporter.bars.as_ref().unwrap();
        bars.multi
            .set_draw_target(indicatif::ProgressDrawTarget::hidden());
        reporter.accounts_planned(2);
        reporter.account_ready(["iam", "ec2", "ec2"]);
        reporter.account_ready(["iam"]);
        let ec2 = &bars.service("ec2").unwrap().bar;
        assert_eq!(bars.accounts.position(), 2);
        assert_eq!(bars.accounts.length(), Some(2));
        assert_eq!(ec2.length(), Some(2));
        for gap in [true, false] {
            reporter.unit_done(UnitOutcome {
                service: "ec2",
                line: "1 us-east-1 ec2",
                gap,
            });
        }
        assert_eq!(ec2.position(), 2);
        assert_eq!(ec2.message(), "1 gaps");
        assert_eq!(bars.service("iam").unwrap().bar.position(), 0);
        reporter.finish();
        assert!(ec2.is_finished());
    }

    #[test]
    fn lines_and_quiet_have_no_bars() {
        assert!(Reporter::new(Progress::Lines, &["iam"]).bars.is_none());
        assert!(Reporter::new(Progress::Quiet, &["iam"]).bars.is_none());
    }
}
