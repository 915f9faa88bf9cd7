# cardhost — build, test and tooling. `make test` is what CI runs (.ci/run).
GO       ?= go
PKGS     ?= ./...
FUZZTIME ?= 10s
BENCHTIME ?= 1s
# Debian packages the tests and tools need (see README).
APT_PKGS := pcscd libpcsclite-dev pcsc-tools vsmartcard-vpcd softhsm2 opensc postgresql
SUDO     := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build test bench fuzz lint demo

all: build

# deps installs the Debian packages that are missing, and only those.
deps:
	@missing=""; \
	for p in $(APT_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	fi

build:
	$(GO) build $(PKGS)

# test runs every test, including those that start a private pcscd with
# vpcd readers (test/pcscdtest); they need the packages from deps.
test: deps
	$(GO) test -race -count=1 -timeout 30m $(PKGS)

bench: deps
	$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) $(PKGS)

# fuzz runs every Fuzz target of every package for FUZZTIME each (see .ci/fuzz).
fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) PKGS='$(PKGS)' bash .ci/fuzz

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

# demo starts a TSM on SQLite with CARDS simulated cards (default 100) and
# runs a provisioning campaign; it keeps running until interrupted.
CARDS ?= 100
demo:
	$(GO) run ./cmd/tsm demo --cards $(CARDS)
