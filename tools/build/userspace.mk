# Compiler settings and rules shared by every userspace Makefile (tools/,
# selftests/). HDR is the uAPI header install of our kernel (make headers);
# BIN is where binaries go. Both come from the top-level Makefile.
#
# Objects live under $(BIN)/obj (and $(BIN)/obj-san, built with sanitizers,
# for host tests) at their source's absolute path, each with its own .d
# file, so a header edit rebuilds exactly the programs that include it.
HDR ?= $(abspath ../.cache/headers)
BIN ?= $(abspath ../.cache/bin)

CC       ?= gcc
# libdevmem's one public header is included as <devmem.h>, as installed.
CFLAGS   := -std=c11 -O2 -g -Wall -Wextra -Werror -isystem $(HDR)/include \
            -I$(abspath $(dir $(lastword $(MAKEFILE_LIST)))../libdevmem)
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=all

# $(call objs,SOURCES) / $(call sanobjs,SOURCES): the objects to link.
objs    = $(patsubst /%.c,$(BIN)/obj/%.o,$(abspath $(1)))
sanobjs = $(patsubst /%.c,$(BIN)/obj-san/%.o,$(abspath $(1)))

$(BIN)/obj/%.o: /%.c
	@mkdir -p $(dir $@) && echo "  CC      $(notdir $<)"
	@$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BIN)/obj-san/%.o: /%.c
	@mkdir -p $(dir $@) && echo "  CC      $(notdir $<) (sanitizers)"
	@$(CC) $(CFLAGS) $(SANITIZE) -MMD -MP -c -o $@ $<

# Link recipes: plain programs and sanitized host tests. A program that
# needs libraries sets them as a target-specific LDLIBS.
LDLIBS  :=
link    = @mkdir -p $(dir $@) && echo "  LD      $(notdir $@)" && \
          $(CC) -o $@ $^ $(LDLIBS)
sanlink = @mkdir -p $(dir $@) && echo "  LD      $(notdir $@)" && \
          $(CC) $(SANITIZE) -o $@ $^ $(LDLIBS)

# libnl-genl-3, for tools/lib/devmem_nl.c: its headers as system headers
# (set on that one object), its libraries for the programs that link it.
NL_CFLAGS := $(patsubst -I%,-isystem %,$(shell pkg-config --cflags libnl-genl-3.0))
NL_LIBS   := $(shell pkg-config --libs libnl-genl-3.0)

# jansson, for devmem-rx's reading of iperf3's JSON (tools/devmem-rx/
# iperf_json.c): its headers on that object, its library for devmem-rx and
# the host tests that link it. libdevmem never links it.
JSON_CFLAGS := $(patsubst -I%,-isystem %,$(shell pkg-config --cflags jansson))
JSON_LIBS   := $(shell pkg-config --libs jansson)

-include $(shell find $(BIN)/obj $(BIN)/obj-san -name '*.d' 2>/dev/null)
