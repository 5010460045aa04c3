//! Which successors of a component a union must read. A component reaches everything
//! its successors reach, so a set propagated over the condensed graph (a source's
//! resources in `blast-radius --all`, its hits in `what-can-reach`) is the union of its
//! own parts and its successors' sets. A successor that another successor reaches adds
//! nothing to that union: leaving it out saves reading its bitmaps (on the `large`
//! profile, 14 parts per union down to 1.3, 2.8 GB of bitmaps read down to 0.56 GB).

use blastgraph_engine::graph::reach::Reach;
use blastgraph_engine::graph::{Analysis, NodeId};
use rayon::prelude::*;

/// How many of the widest kept successors a successor is checked against: nearly every
/// redundant one is reached from one of the widest, and checking all of them would cost
/// more than the unions it saves (a component of 3,000 successors).
const WIDEST_CHECKED: usize = 8;

/// What the rule asks of a component, computed once per component rather than once per
/// edge: its representative node, and how many nodes it reaches.
pub(crate) struct Components<'r> {
    reach: &'r Reach,
    representative: Vec<NodeId>,
    width: Vec<u64>,
}

impl<'r> Components<'r> {
    /// Representatives and widths of every component of `reach`.
    pub(crate) fn of(analysis: &Analysis<'_>, reach: &'r Reach) -> Components<'r> {
        let representative = representatives(analysis, reach);
        let width = representative
            .par_iter()
            .map(|&node| reach.of(node).len())
            .collect();
        Components {
            reach,
            representative,
            width,
        }
    }

    /// The successors of `component` whose set is not empty, except (most of) those
    /// another of them reaches, widest first.
    pub(crate) fn unreached_successors<'b>(
        &self,
        component: u32,
        buffers: &'b mut Successors,
        is_empty: impl Fn(u32) -> bool,
    ) -> &'b [u32] {
        let Successors { candidates, kept } = buffers;
        candidates.clear();
        kept.clear();
        candidates.extend(
            self.reach
                .successors(component)
                .iter()
                .filter(|&&s| !is_empty(s))
                .map(|&s| (self.width[s as usize], s)),
        );
        // Widest first: a successor can only be reached from one that reaches more.
        candidates.sort_unstable_by(|a, b| b.cmp(a));
        for &(_, s) in candidates.iter() {
            let node = self.representative[s as usize];
            let covered = kept.iter().take(WIDEST_CHECKED).any(|&k| {
                self.reach
                    .of(self.representative[k as usize])
                    .contains(node)
            });
            if !covered {
                kept.push(s);
            }
        }
        kept
    }
}

/// The buffers of [`Components::unreached_successors`], kept from one component to the
/// next (one per rayon worker: `map_init(Successors::default, ...)`).
#[derive(Default)]
pub(crate) struct Successors {
    candidates: Vec<(u64, u32)>,
    kept: Vec<u32>,
}

/// Per component, its smallest node. Hub nodes count: a component of a hub alone is
/// represented by the hub (whose reachable set holds the roles it leads to, never a
/// hub), so the rule never mistakes it for another component.
fn representatives(analysis: &Analysis<'_>, reach: &Reach) -> Vec<NodeId> {
    let mut representative = vec![NodeId::MAX; reach.components()];
    for n in (0..analysis.graph.graph.node_count() as NodeId).rev() {
        representative[reach.component_of(n) as usize] = n;
    }
    representative
}
