//! Progress on standard error: an indicatif bar for bulk runs on a terminal,
//! and with `-v` a line per retry and per finished message.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use smtp_client::bulk::Progress;
use tokio::sync::mpsc::UnboundedReceiver;

/// Shows progress until the sender drops its end of the channel.
pub(crate) async fn show(
    mut events: UnboundedReceiver<Progress>,
    total: usize,
    bar: bool,
    verbose: bool,
) {
    let bar = bar.then(|| {
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} sent, {msg}",
        ) {
            bar.set_style(style);
        }
        bar
    });
    let mut failed = 0usize;
    while let Some(event) = events.recv().await {
        let line = match &event {
            Progress::MessageFinished {
                index,
                id,
                all_accepted,
            } => {
                if !all_accepted {
                    failed += 1;
                }
                if let Some(bar) = &bar {
                    bar.inc(1);
                    bar.set_message(format!("{failed} with failures"));
                }
                let verdict = if *all_accepted {
                    "accepted"
                } else {
                    "NOT all accepted"
                };
                verbose.then(|| format!("=== message {} ({id}): {verdict}", index + 1))
            }
            Progress::RetryScheduled {
                index,
                attempt,
                delay,
                reason,
            } => verbose.then(|| {
                format!(
                    "=== message {}: attempt {attempt} failed ({reason}); retrying in {:.1}s",
                    index + 1,
                    delay.as_secs_f64()
                )
            }),
            Progress::Stopped(reason) => Some(format!(
                "=== STOPPING all sending: {} ({})",
                reason.rule, reason.detail
            )),
            _ => None,
        };
        if let Some(line) = line {
            match &bar {
                Some(bar) => bar.println(line),
                None => eprintln!("{line}"),
            }
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
}
