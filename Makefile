# The two quick-start commands (see README.md).
.PHONY: demo test bench bench-peers package memory setup fuzz

# Set up, build, and open the desktop app on a demo vault with sample ML-team secrets
# (without a display: a CLI walk-through of the same vault). Debug build: it shares the test build.
demo: setup
	cargo build --locked --workspace
	.ci/demo

# Set up, build, and run every test against the real OS keychain.
test: setup
	.ci/test

# Benchmarks: get latency (warm/cold), import throughput, run overhead. Results: docs/PERFORMANCE.md.
bench: setup
	cargo build --locked --release -p keyshelf -p keyshelf-bench
	.ci/with-postgres .ci/with-keychain target/release/keyshelf-bench
	.ci/with-keychain .ci/bench-peers

# Keyshelf's warm get beside keyctl, secret-tool, pass, gopass and keepassxc-cli (installed from
# Debian's packages if missing), interleaved in one run.
bench-peers: setup
	cargo build --locked --release -p keyshelf
	.ci/with-keychain .ci/bench-peers

# The .deb (desktop app + CLI) from a size-optimised build: target/dist/keyshelf_*.deb.
package: setup
	.ci/package

# Idle memory (PSS) of the packaged desktop build under Xvfb. Results: docs/PERFORMANCE.md.
memory: package
	.ci/with-keychain xvfb-run -a -s "-screen 0 1280x800x24" .ci/memory target/dist/keyshelf-desktop

setup:
	.ci/setup

# Fuzz each parser of untrusted input (.env, notebooks, machine tokens, paths and durations
# from the webview or argv) for FUZZ_SECONDS (default 60) with
# cargo-fuzz (libFuzzer + ASan).
FUZZ_SECONDS ?= 60
fuzz:
	command -v cargo-fuzz >/dev/null || cargo install -q cargo-fuzz --locked
	cd src-tauri/core && RUSTC_BOOTSTRAP=1 cargo fuzz run dotenv_parse -- -max_total_time=$(FUZZ_SECONDS)
	cd src-tauri/core && RUSTC_BOOTSTRAP=1 cargo fuzz run notebook_scan -- -max_total_time=$(FUZZ_SECONDS)
	cd src-tauri/core && RUSTC_BOOTSTRAP=1 cargo fuzz run machine_token -- -max_total_time=$(FUZZ_SECONDS)
	cd src-tauri/core && RUSTC_BOOTSTRAP=1 cargo fuzz run ipc_args -- -max_total_time=$(FUZZ_SECONDS)
