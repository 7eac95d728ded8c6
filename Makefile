# The two quick-start commands (see README.md).
.PHONY: demo test bench setup

# Set up, build, and open a demo vault with sample ML-team secrets.
demo: setup
	cargo build --locked --release -p keyshelf --bins
	.ci/demo

# Set up, build, and run every test against the real OS keychain.
test: setup
	.ci/test

# Benchmarks: get latency (warm/cold), import throughput, run overhead. Results: docs/PERFORMANCE.md.
bench: setup
	cargo build --locked --release -p keyshelf --bins
	.ci/with-keychain target/release/keyshelf-bench

setup:
	.ci/setup
