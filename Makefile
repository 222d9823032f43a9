# llmkit — build, test, install. `make demo` and `make test` work on a fresh Debian or
# Ubuntu machine as root: they install libcurl's headers if missing and provision the
# local model server (a cached virtual environment) before they run.

SWIFT    ?= swift
PREFIX   ?= /usr/local
DESTDIR  ?=
CACHE    ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/llmkit
VENV     ?= $(CACHE)/venv
# A real LiteLLM proxy: the tests' peer for Anthropic's and Gemini's formats. Pinned: later
# releases need a certifi newer than some package mirrors carry. prometheus_client's parser
# reads llm-probe's Prometheus output in the tests.
LITELLM_VENV ?= $(CACHE)/litellm-venv
LITELLM  := litellm[proxy]==1.106.2 prometheus_client==0.26.0
TOOLS    := llm-complete llm-stream llm-tools llm-probe llm-cost llm-serve
# The release build links Swift's runtime and libstdc++ statically: resolving the shared
# libraries' symbols is most of a start (make bench). libstdc++ goes through a directory of
# our own because swiftc asks for it by name, and the shared one would be found first.
STATIC_CXX := $(CURDIR)/.build-libstdc++
# swiftc's static-stdlib link exports every symbol of our own modules (-export-dynamic),
# about 5,800 names nothing looks up; each is in the way of the loader's lookups, at start
# and when libcurl is opened. The last flag of the two wins.
RELEASE  := -c release --static-swift-stdlib -Xlinker -L$(STATIC_CXX) -Xlinker --no-export-dynamic
BIN       = $(shell $(SWIFT) build $(RELEASE) --show-bin-path)

FUZZ_TARGETS := json chunk-scan sse ndjson schema config
FUZZ_SECONDS ?= 60

.PHONY: all build static-cxx test demo bench bench-peers crosscheck-cost fuzz fuzz-build install uninstall man completions deps venv litellm-venv clean

all: build

deps:
	@scripts/ensure-libcurl.sh

venv: deps
	@scripts/provision-venv.sh "$(VENV)"

litellm-venv: deps
	@scripts/provision-venv.sh "$(LITELLM_VENV)" $(LITELLM)

build: deps static-cxx
	$(SWIFT) build $(RELEASE)

# Without a static libstdc++ (no libstdc++-dev), the build links the shared one.
static-cxx:
	@mkdir -p "$(STATIC_CXX)"; lib=$$(clang -print-file-name=libstdc++.a 2>/dev/null); \
	if [ -f "$$lib" ]; then ln -sf "$$lib" "$(STATIC_CXX)/libstdc++.a"; else rm -f "$(STATIC_CXX)/libstdc++.a"; fi

test: deps venv litellm-venv
	@scripts/ensure-test-tools.sh
	$(SWIFT) build --build-tests
	LLMKIT_TEST_PYTHON="$(LITELLM_VENV)/bin/python" \
		scripts/with-llama-server.sh "$(VENV)" -- scripts/with-litellm-proxy.sh "$(LITELLM_VENV)" -- $(SWIFT) test --skip-build
	@echo "fuzzing each target briefly, from a fixed seed (make fuzz for long runs):"
	@FUZZ_RUNS=20000 $(MAKE) --no-print-directory fuzz

# libFuzzer targets (Fuzz/): FUZZ_SECONDS per target, seeds in Fuzz/Corpus.
fuzz-build: deps
	$(SWIFT) build --package-path Fuzz --scratch-path .build-fuzz --sanitize fuzzer

fuzz: fuzz-build
	@scripts/fuzz.sh .build-fuzz/debug $(FUZZ_SECONDS) $(FUZZ_TARGETS)

demo: build venv
	@scripts/demo.sh "$(BIN)" "$(VENV)"

bench: build
	@scripts/ensure-bench-tools.sh
	@SWIFT="$(SWIFT)" SWIFT_RELEASE_FLAGS="$(RELEASE)" scripts/bench.sh "$(BIN)"

# The peers (Python's llm, the openai SDK, LiteLLM) live in the cached environments that
# make demo and make test build; this builds them if missing and runs only that table.
bench-peers: build venv litellm-venv
	@BENCH_ONLY=peers scripts/bench.sh "$(BIN)"

# llm-cost against LiteLLM's own cost_per_token, for every chat model of LiteLLM's price
# file: the shared reference copy beside this checkout, else the one LiteLLM ships.
PRICES ?= $(firstword $(wildcard ../shared/reference/litellm-model-prices-*.json) $(wildcard $(LITELLM_VENV)/lib/python3*/site-packages/litellm/model_prices_and_context_window_backup.json))
crosscheck-cost: build litellm-venv
	@"$(LITELLM_VENV)/bin/python" scripts/crosscheck-cost.py "$(BIN)/llm-cost" "$(PRICES)"

# Man pages and completions are generated from the commands and committed, so that an
# install needs no generation step; the tests fail when they are out of step. llmkit.5 is
# the README's configuration reference.
man: deps
	$(SWIFT) build
	python3 scripts/manpage.py .build/debug man

completions: deps
	$(SWIFT) build
	for tool in $(TOOLS); do \
		.build/debug/$$tool --generate-completion-script bash > completions/$$tool.bash; \
		.build/debug/$$tool --generate-completion-script zsh > completions/_$$tool; \
		.build/debug/$$tool --generate-completion-script fish > completions/$$tool.fish; \
	done

install: build
	install -d "$(DESTDIR)$(PREFIX)/bin" "$(DESTDIR)$(PREFIX)/share/man/man1" "$(DESTDIR)$(PREFIX)/share/man/man5" \
		"$(DESTDIR)$(PREFIX)/share/bash-completion/completions" \
		"$(DESTDIR)$(PREFIX)/share/zsh/site-functions" \
		"$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d"
	for tool in $(TOOLS); do \
		install -m 755 "$(BIN)/$$tool" "$(DESTDIR)$(PREFIX)/bin/$$tool"; \
		install -m 644 "man/$$tool.1" "$(DESTDIR)$(PREFIX)/share/man/man1/$$tool.1"; \
		install -m 644 "completions/$$tool.bash" "$(DESTDIR)$(PREFIX)/share/bash-completion/completions/$$tool"; \
		install -m 644 "completions/_$$tool" "$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_$$tool"; \
		install -m 644 "completions/$$tool.fish" "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/$$tool.fish"; \
	done
	install -m 644 man/llmkit.5 "$(DESTDIR)$(PREFIX)/share/man/man5/llmkit.5"

uninstall:
	rm -f "$(DESTDIR)$(PREFIX)/share/man/man5/llmkit.5"
	for tool in $(TOOLS); do \
		rm -f "$(DESTDIR)$(PREFIX)/bin/$$tool" "$(DESTDIR)$(PREFIX)/share/man/man1/$$tool.1" \
			"$(DESTDIR)$(PREFIX)/share/bash-completion/completions/$$tool" \
			"$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_$$tool" \
			"$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/$$tool.fish"; \
	done

clean:
	rm -rf .build .build-fuzz .build-libstdc++
