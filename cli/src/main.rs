//! The `blastgraph` command line.

fn main() {
    println!("blastgraph");
}
