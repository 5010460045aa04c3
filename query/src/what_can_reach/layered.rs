//! Sets of hits (or of resource ranks) kept as what is particular to them plus whole
//! shared layers by bit, never unioned with the layers until asked.
//!
//! A shared access layer (the pairs of the resources whose policy names everyone) is
//! most of what most groups hold: on the `large` profile 66,580 of the 68,600 secrets.
//! Carrying a layer as one bit through the hits and the summary's propagation, instead
//! of a copy in every group's set and every union, leaves the unions to the pairs that
//! differ between groups; the counts take the layers in at the end, once per distinct
//! set ([`Counter`]).
//!
//! Invariant: a [`Layered`]'s own part is disjoint from the layers of its mask, so its
//! size is the layers' size plus its own, and two sets meet as their parts do.

use blastgraph_engine::graph::access::layer_classes;
use roaring::{MultiOps, RoaringBitmap};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, LazyLock};

/// A set: its own part plus every layer of a mask.
#[derive(Debug, Clone, Default)]
pub(crate) struct Layered {
    /// The members outside the layers of `layers` (disjoint from them), if any: most
    /// holders have none, and sharing one empty set would make every thread count
    /// references on the same cache line.
    own: Option<Arc<RoaringBitmap>>,
    /// Bit `c`: every member of layer `c` ([`Layers`]).
    pub layers: u32,
}

/// The own part of a set without one.
static NONE: LazyLock<RoaringBitmap> = LazyLock::new(RoaringBitmap::new);

impl Layered {
    /// A set of these own members (disjoint from the layers) and layers.
    fn new(own: RoaringBitmap, layers: u32) -> Layered {
        Layered {
            own: (!own.is_empty()).then(|| Arc::new(own)),
            layers,
        }
    }

    /// The members outside the layers.
    pub fn own(&self) -> &RoaringBitmap {
        self.own.as_deref().unwrap_or(&NONE)
    }

    /// The own part as shared, if any.
    pub fn shared_own(&self) -> Option<&Arc<RoaringBitmap>> {
        self.own.as_ref()
    }

    /// No member at all.
    pub fn is_empty(&self) -> bool {
        self.layers == 0 && self.own.is_none()
    }

    /// The same members as `other`, told apart by identity: the same own part (the same
    /// allocation, or none) and the same mask.
    pub fn key(&self) -> (*const RoaringBitmap, u32) {
        let own = self.own.as_ref().map_or(std::ptr::null(), Arc::as_ptr);
        (own, self.layers)
    }
}

/// Per class, the members of its shared layer at one level (hit ids or resource ranks);
/// empty for the classes outside the question.
#[derive(Debug, Clone, Default)]
pub(crate) struct Layers {
    /// By class index.
    pub sets: Vec<Arc<RoaringBitmap>>,
    /// The classes whose layer has members: a mask bit outside it says nothing.
    pub present: u32,
}

impl Layers {
    /// The layers of these sets (one per class).
    pub fn new(sets: Vec<Arc<RoaringBitmap>>) -> Layers {
        let present = sets
            .iter()
            .enumerate()
            .filter(|(_, set)| !set.is_empty())
            .fold(0, |mask, (c, _)| mask | 1 << c);
        Layers { sets, present }
    }

    /// A set of `own` plus the layers of `mask`, `own` made disjoint from them.
    pub fn layered(&self, mut own: RoaringBitmap, mask: u32) -> Layered {
        let layers = mask & self.present;
        for c in layer_classes(layers) {
            if own.is_empty() {
                break;
            }
            own -= &*self.sets[c];
        }
        Layered::new(own, layers)
    }

    /// `own` (disjoint from the layers of `covered`) with the layers of `mask` too:
    /// shared when it is disjoint from the added layers, which is the common case.
    fn widened(&self, own: &Arc<RoaringBitmap>, covered: u32, mask: u32) -> Layered {
        let added = mask & !covered;
        if layer_classes(added).all(|c| own.is_disjoint(&self.sets[c])) {
            return Layered {
                own: Some(Arc::clone(own)),
                layers: mask,
            };
        }
        self.layered((**own).clone(), mask)
    }

    /// The union of the layers of `mask`.
    pub fn union(&self, mask: u32) -> Cow<'_, RoaringBitmap> {
        let mut classes = layer_classes(mask & self.present);
        let Some(first) = classes.next() else {
            return Cow::Owned(RoaringBitmap::new());
        };
        let mut union: Cow<'_, RoaringBitmap> = Cow::Borrowed(&self.sets[first]);
        for c in classes {
            *union.to_mut() |= &*self.sets[c];
        }
        union
    }

    /// Every member of a set.
    pub fn full<'a>(&'a self, set: &'a Layered) -> Cow<'a, RoaringBitmap> {
        if set.layers == 0 {
            return Cow::Borrowed(set.own());
        }
        let mut all = self.union(set.layers).into_owned();
        all |= set.own();
        Cow::Owned(all)
    }

    /// The parts of a set (its own, then each of its layers, with the layer's bit),
    /// disjoint unless two layers share members.
    pub fn parts<'a>(&'a self, set: &'a Layered) -> impl Iterator<Item = (u32, &'a RoaringBitmap)> {
        std::iter::once((0, set.own()))
            .chain(layer_classes(set.layers).map(|c| (1 << c, &*self.sets[c])))
    }

    /// The union of some sets: their own parts (each distinct one once) and the layers
    /// of every mask, the own part made disjoint from them.
    pub fn union_of<'a>(&self, sets: impl IntoIterator<Item = &'a Layered>) -> Layered {
        let mut mask = 0;
        let mut owns: Vec<(&Arc<RoaringBitmap>, u32)> = Vec::new();
        for set in sets {
            mask |= set.layers;
            if let Some(own) = &set.own {
                owns.push((own, set.layers));
            }
        }
        owns.sort_unstable_by_key(|&(own, layers)| (Arc::as_ptr(own), layers));
        owns.dedup_by_key(|(own, _)| Arc::as_ptr(own));
        match owns.as_slice() {
            [] => Layered {
                own: None,
                layers: mask,
            },
            // One own part: disjoint from its own layers already.
            [(only, covered)] => self.widened(only, *covered, mask),
            _ => {
                let union = owns.iter().map(|(own, _)| &***own).union();
                self.layered(union, mask)
            }
        }
    }
}

/// Counts the members of a set (what a source reaches) and those it shares with another
/// (what it reaches for sure), with the
/// unions of the layers each mask (and pair of masks) stands for computed once.
pub(crate) struct Counter {
    /// Per distinct mask, the union of its layers.
    unions: BTreeMap<u32, RoaringBitmap>,
    /// Per distinct (reached, certain) pair of masks, how many members their unions share.
    shared: BTreeMap<(u32, u32), u64>,
}

impl Counter {
    /// The counter of sets of these layers, paired with these masks (reached, certain).
    pub fn new(layers: &Layers, pairs: impl IntoIterator<Item = (u32, u32)>) -> Counter {
        let masks: BTreeSet<(u32, u32)> = pairs.into_iter().collect();
        let unions: BTreeMap<u32, RoaringBitmap> = masks
            .iter()
            .flat_map(|&(a, b)| [a, b])
            .collect::<BTreeSet<u32>>()
            .into_iter()
            .map(|mask| (mask, layers.union(mask).into_owned()))
            .collect();
        let shared = masks
            .into_iter()
            .map(|(a, b)| ((a, b), unions[&a].intersection_len(&unions[&b])))
            .collect();
        Counter { unions, shared }
    }

    /// (members of `reached`, members of both): each set's own part is disjoint from its
    /// layers, so members of both are those of both layer unions, plus the members of
    /// one's own part in the other's layers, plus those of both own parts.
    pub fn count(&self, reached: &Layered, certain: &Layered) -> (u64, u64) {
        let (a, b) = (reached.own(), certain.own());
        let (la, lb) = (&self.unions[&reached.layers], &self.unions[&certain.layers]);
        let targets = la.len() + a.len();
        let both = self.shared[&(reached.layers, certain.layers)]
            + b.intersection_len(la)
            + a.intersection_len(lb)
            + a.intersection_len(b);
        (targets, both)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic stream of numbers (SplitMix64).
    struct Numbers(u64);

    impl Numbers {
        fn next(&mut self, below: u32) -> u32 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) % u64::from(below)) as u32
        }

        /// Up to `count` members below `universe`.
        fn set(&mut self, count: u32, universe: u32) -> RoaringBitmap {
            let n = self.next(count + 1);
            (0..n).map(|_| self.next(universe)).collect()
        }
    }

    /// Three layers over 0..3000, the first two sharing members (as two classes of one
    /// resource type do at resource level), and a fourth class without a layer.
    fn layers(numbers: &mut Numbers) -> Layers {
        let first = numbers.set(800, 2000);
        let second: RoaringBitmap = first.iter().step_by(2).chain(2000..2100).collect();
        let third = numbers.set(500, 3000);
        Layers::new(vec![
            Arc::new(first),
            Arc::new(second),
            Arc::new(third),
            Arc::new(RoaringBitmap::new()),
        ])
    }

    /// A set as the holders build them: any own members (which may fall in the layers)
    /// and any mask, with its members spelled out.
    fn set(layers: &Layers, numbers: &mut Numbers) -> (Layered, RoaringBitmap) {
        let own = numbers.set(60, 3000);
        let mask = numbers.next(16);
        let mut all = own.clone();
        for c in layer_classes(mask) {
            all |= &*layers.sets[c];
        }
        (layers.layered(own, mask), all)
    }

    #[test]
    fn layered_sets_hold_what_their_parts_hold_and_count_as_the_spelled_out_ones() {
        let mut numbers = Numbers(7);
        for _ in 0..40 {
            let layers = layers(&mut numbers);
            let sets: Vec<(Layered, RoaringBitmap)> =
                (0..12).map(|_| set(&layers, &mut numbers)).collect();
            let mut exercised = (false, false);
            for (set, all) in &sets {
                assert_eq!(*layers.full(set), *all);
                // The invariant the counts rest on.
                assert!(set.own().is_disjoint(&layers.union(set.layers)));
                exercised.0 |= set.layers != 0 && !set.own().is_empty();
            }
            // Unions of a few sets, a set with itself, and none.
            for parts in [&sets[0..1], &sets[0..2], &sets[2..7], &sets[..]] {
                let union = layers.union_of(parts.iter().map(|(set, _)| set));
                let all = parts
                    .iter()
                    .fold(RoaringBitmap::new(), |all, (_, set)| all | set);
                assert_eq!(*layers.full(&union), all);
                assert!(union.own().is_disjoint(&layers.union(union.layers)));
                let twice = layers.union_of([&parts[0].0, &parts[0].0]);
                assert_eq!(*layers.full(&twice), parts[0].1);
            }
            assert!(layers.union_of([]).is_empty());
            // A shared own part widened by a layer it meets is narrowed, not shared.
            let (a, b) = (&sets[3].0, &sets[4].0);
            let widened = layers.union_of([a, &Layered::new(RoaringBitmap::new(), b.layers)]);
            assert_eq!(
                *layers.full(&widened),
                &*layers.full(a) | &*layers.union(b.layers)
            );
            exercised.1 |= a.shared_own().is_some()
                && widened.shared_own().is_some()
                && !Arc::ptr_eq(a.shared_own().unwrap(), widened.shared_own().unwrap());
            let counter = Counter::new(
                &layers,
                sets.iter()
                    .flat_map(|(a, _)| sets.iter().map(|(b, _)| (a.layers, b.layers))),
            );
            for (a, a_all) in &sets {
                for (b, b_all) in &sets {
                    assert_eq!(
                        counter.count(a, b),
                        (a_all.len(), a_all.intersection_len(b_all))
                    );
                }
            }
            if exercised == (true, true) {
                return;
            }
        }
        panic!("the random sets never mixed own members with layers, or never narrowed");
    }
}
