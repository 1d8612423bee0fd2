//! Clusters: the connected components of the graph whose edges are linked
//! pairs. A union-find with path halving and union by size.

pub struct DisjointSets {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl DisjointSets {
    pub fn new(n: usize) -> DisjointSets {
        DisjointSets { parent: (0..n as u32).collect(), size: vec![1; n] }
    }

    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grandparent = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grandparent;
            x = grandparent;
        }
        x
    }

    /// Joins the sets of `a` and `b`; returns the root of the joined set.
    pub fn union(&mut self, a: u32, b: u32) -> u32 {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return a;
        }
        if self.size[a as usize] < self.size[b as usize] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b as usize] = a;
        self.size[a as usize] += self.size[b as usize];
        a
    }

    /// The cluster of each element, numbered 0.. in order of each cluster's
    /// first element, so the numbering depends only on the partition and the
    /// element order, never on the order of unions.
    pub fn cluster_numbers(&mut self) -> Vec<u32> {
        let n = self.parent.len();
        let mut number_of_root = vec![u32::MAX; n];
        let mut next = 0u32;
        let mut numbers = Vec::with_capacity(n);
        for x in 0..n as u32 {
            let root = self.find(x) as usize;
            if number_of_root[root] == u32::MAX {
                number_of_root[root] = next;
                next += 1;
            }
            numbers.push(number_of_root[root]);
        }
        numbers
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The naive reference: flood-fill over an adjacency list.
    fn naive_components(n: usize, edges: &[(u32, u32)]) -> Vec<u32> {
        let mut adjacency = vec![Vec::new(); n];
        for &(a, b) in edges {
            adjacency[a as usize].push(b as usize);
            adjacency[b as usize].push(a as usize);
        }
        let mut number = vec![u32::MAX; n];
        let mut next = 0;
        for start in 0..n {
            if number[start] != u32::MAX {
                continue;
            }
            let mut stack = vec![start];
            number[start] = next;
            while let Some(x) = stack.pop() {
                for &y in &adjacency[x] {
                    if number[y] == u32::MAX {
                        number[y] = next;
                        stack.push(y);
                    }
                }
            }
            next += 1;
        }
        number
    }

    proptest! {
        #[test]
        fn union_find_equals_a_naive_flood_fill(
            n in 1usize..60,
            raw_edges in proptest::collection::vec((0u32..60, 0u32..60), 0..80),
        ) {
            let edges: Vec<(u32, u32)> = raw_edges
                .into_iter()
                .map(|(a, b)| (a % n as u32, b % n as u32))
                .collect();
            let mut sets = DisjointSets::new(n);
            for &(a, b) in &edges {
                sets.union(a, b);
            }
            prop_assert_eq!(sets.cluster_numbers(), naive_components(n, &edges));
        }
    }
}
