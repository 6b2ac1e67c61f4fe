//! Mapping a long lazy sequence on every core, a chunk at a time, in order.
//!
//! A check-in round renders thousands of Block Kit messages while the store writes them inside
//! one transaction (see `Store::record_job_run`); rendering was one thread's work while the other
//! core mostly waited. The store pulls messages one at a time, so this keeps its shape: an
//! iterator, that renders the next `chunk` items at once on scoped threads when it runs dry.

use std::collections::VecDeque;
use std::num::NonZeroUsize;

/// Most threads a chunk is split over: more than the cores only adds switching.
const MOST_THREADS: usize = 4;

/// `items` mapped through `map`, in their order, each chunk of `chunk` items mapped on up to as
/// many threads as the machine has cores (the calling thread is one of them). Holds at most one
/// chunk of results; a panic in `map` is raised again in the caller.
pub fn map_in_chunks<I, T, F>(items: I, chunk: usize, map: F) -> impl Iterator<Item = T>
where
    I: Iterator,
    I::Item: Send,
    T: Send,
    F: Fn(I::Item) -> T + Sync,
{
    let threads = std::thread::available_parallelism()
        .map_or(1, NonZeroUsize::get)
        .min(MOST_THREADS);
    MapInChunks {
        items,
        map,
        chunk: chunk.max(1),
        threads,
        ready: VecDeque::new(),
    }
}

struct MapInChunks<I, T, F> {
    items: I,
    map: F,
    chunk: usize,
    threads: usize,
    ready: VecDeque<T>,
}

impl<I, T, F> Iterator for MapInChunks<I, T, F>
where
    I: Iterator,
    I::Item: Send,
    T: Send,
    F: Fn(I::Item) -> T + Sync,
{
    type Item = T;

    fn next(&mut self) -> Option<T> {
        if self.ready.is_empty() {
            let mut next: Vec<I::Item> = self.items.by_ref().take(self.chunk).collect();
            let map = &self.map;
            if self.threads <= 1 || next.len() < 2 {
                self.ready.extend(next.into_iter().map(map));
            } else {
                // Contiguous slices, one per thread: the first on this thread, mapped while
                // the others run, and the results taken back in order.
                let share = next.len().div_ceil(self.threads);
                let mut rest = next.split_off(share);
                let mut others = Vec::with_capacity(self.threads - 1);
                while !rest.is_empty() {
                    let tail = rest.split_off(share.min(rest.len()));
                    others.push(std::mem::replace(&mut rest, tail));
                }
                let ready = &mut self.ready;
                std::thread::scope(|scope| {
                    let handles: Vec<_> = others
                        .into_iter()
                        .map(|slice| scope.spawn(move || slice.into_iter().map(map).collect::<Vec<T>>()))
                        .collect();
                    ready.extend(next.into_iter().map(map));
                    for handle in handles {
                        match handle.join() {
                            Ok(mapped) => ready.extend(mapped),
                            Err(panic) => std::panic::resume_unwind(panic),
                        }
                    }
                });
            }
        }
        self.ready.pop_front()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_every_item_once_in_order_whatever_the_chunk() {
        for chunk in [1, 2, 3, 7, 64, 1000] {
            let mapped: Vec<u64> = map_in_chunks(0..500_u64, chunk, |n| n * n).collect();
            assert_eq!(mapped, (0..500_u64).map(|n| n * n).collect::<Vec<_>>(), "chunk {chunk}");
        }
        assert_eq!(map_in_chunks(std::iter::empty::<u8>(), 8, |n| n).count(), 0);
    }

    #[test]
    fn takes_a_chunk_at_a_time_from_a_lazy_source() {
        let pulled = std::sync::atomic::AtomicUsize::new(0);
        let source = (0..100).inspect(|_| {
            pulled.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        });
        let mut mapped = map_in_chunks(source, 10, |n| n + 1);
        assert_eq!(mapped.next(), Some(1));
        assert_eq!(
            pulled.load(std::sync::atomic::Ordering::Relaxed),
            10,
            "one chunk, not the whole source"
        );
    }

    #[test]
    #[should_panic(expected = "item 42")]
    fn a_panic_while_mapping_reaches_the_caller() {
        let _ = map_in_chunks(0..100, 64, |n| if n == 42 { panic!("item 42") } else { n }).count();
    }
}
