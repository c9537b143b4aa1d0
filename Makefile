# dmabuf-pp: top-level build. Every target is idempotent and incremental;
# the scripts under tools/build/ do the work and print one line per stage.
#
#   make demo                      build ours, boot it, run the devmem demo
#   make check                     host tests, then VM selftests + KUnit
#   make kernel FLAVOR=stock|ours|debug
#   make tools                     userspace tools and selftests
#   make install [PREFIX= DESTDIR=] libdevmem, devmemctl, devmem-rx
#   make bench                     stock vs ours, side by side
#   make export                    the kernel side as a git am series
#   make clean | distclean

FLAVOR ?= ours
FLAVORS := stock ours debug
TOP    := $(CURDIR)
CACHE  := $(TOP)/.cache
SRC    := $(CACHE)/src/linux
HDR    := $(CACHE)/headers
BIN    := $(CACHE)/bin

export TOP CACHE SRC HDR BIN

# Targets share one source tree and two cores: never run them in parallel.
.NOTPARALLEL:

.PHONY: all deps kernel kernels headers tools install demo check bench export clean distclean help

all: kernel tools

help:
	@sed -n '2,11s/^# \{0,1\}//p' Makefile

deps:
	@tools/build/deps

kernel: deps
	@tools/build/kernel $(TOP) $(FLAVOR)

# All three flavors, one after the other (never in parallel: 2 cores).
kernels: deps
	@for f in $(FLAVORS); do tools/build/kernel $(TOP) $$f || exit 1; done

headers: deps
	@tools/build/headers $(TOP)

tools: headers
	@$(MAKE) -s -C tools BIN=$(BIN) HDR=$(HDR)
	@$(MAKE) -s -C selftests BIN=$(BIN) HDR=$(HDR)

# PREFIX, DESTDIR, LIBDIR, INCLUDEDIR and BINDIR reach tools/Makefile as
# command-line variables do.
install: tools
	@$(MAKE) -s -C tools install BIN=$(BIN) HDR=$(HDR)

demo: deps
	@tools/build/kernel $(TOP) ours
	@$(MAKE) -s tools
	@tools/demo/run

check: kernels tools
	@selftests/check

bench: deps
	@tools/bench/run

# Our patches and files as one series for git am onto the base
# (Documentation/development.md, "Taking it into your own tree").
export: deps
	@tools/build/fetch-base $(TOP)/config/base-version $(CACHE)
	@tools/export/series $(CACHE)/export/series

clean:
	rm -rf $(CACHE)/build $(CACHE)/headers $(CACHE)/bin $(CACHE)/vm $(CACHE)/check
	@$(MAKE) -s -C tools clean BIN=$(BIN)
	@$(MAKE) -s -C selftests clean BIN=$(BIN)

distclean:
	rm -rf $(CACHE)
