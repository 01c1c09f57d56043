//! `head` and `tail` over a stream of results, composed left to right: a head passes its first
//! N results on at once; a tail holds the last N until the input ends.

use std::collections::VecDeque;

#[derive(Debug)]
enum Step<T> {
    Head { left: u64 },
    Tail { keep: usize, buf: VecDeque<T> },
}

/// A chain of limits.
#[derive(Debug)]
pub struct PipeChain<T> {
    steps: Vec<Step<T>>,
}

impl<T> PipeChain<T> {
    pub fn new(pipes: &[eql_bytecode::Pipe]) -> PipeChain<T> {
        let steps = pipes
            .iter()
            .map(|p| match *p {
                eql_bytecode::Pipe::Head(n) => Step::Head { left: n },
                eql_bytecode::Pipe::Tail(n) => Step::Tail {
                    keep: usize::try_from(n).unwrap_or(usize::MAX),
                    buf: VecDeque::new(),
                },
            })
            .collect();
        PipeChain { steps }
    }

    /// True when no further result can pass (a head is used up), so work can stop.
    pub fn closed(&self) -> bool {
        self.steps
            .iter()
            .any(|s| matches!(s, Step::Head { left: 0 }))
    }

    /// Offers one result; what passes every step is appended to `out`.
    pub fn push(&mut self, item: T, out: &mut Vec<T>) {
        self.push_from(0, item, out);
    }

    fn push_from(&mut self, start: usize, item: T, out: &mut Vec<T>) {
        for i in start..self.steps.len() {
            match &mut self.steps[i] {
                Step::Head { left } => {
                    if *left == 0 {
                        return;
                    }
                    *left -= 1;
                }
                Step::Tail { keep, buf } => {
                    if *keep == 0 {
                        return;
                    }
                    if buf.len() == *keep {
                        buf.pop_front();
                    }
                    buf.push_back(item);
                    return;
                }
            }
        }
        out.push(item);
    }

    /// End of input: tails release what they hold, in order, through the later steps.
    pub fn finish(&mut self, out: &mut Vec<T>) {
        for i in 0..self.steps.len() {
            let held = match &mut self.steps[i] {
                Step::Tail { buf, .. } => std::mem::take(buf),
                Step::Head { .. } => continue,
            };
            for item in held {
                self.push_from(i + 1, item, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eql_bytecode::Pipe;

    fn run(pipes: &[Pipe], n: u32) -> Vec<u32> {
        let mut chain = PipeChain::new(pipes);
        let mut out = Vec::new();
        for i in 1..=n {
            chain.push(i, &mut out);
        }
        chain.finish(&mut out);
        out
    }

    #[test]
    fn head_tail_compose() {
        assert_eq!(run(&[Pipe::Head(3)], 10), vec![1, 2, 3]);
        assert_eq!(run(&[Pipe::Tail(2)], 10), vec![9, 10]);
        assert_eq!(run(&[Pipe::Head(4), Pipe::Tail(2)], 10), vec![3, 4]);
        assert_eq!(run(&[Pipe::Tail(4), Pipe::Head(2)], 10), vec![7, 8]);
        assert_eq!(run(&[Pipe::Head(0)], 10), Vec::<u32>::new());
        assert_eq!(run(&[], 3), vec![1, 2, 3]);
    }
}
